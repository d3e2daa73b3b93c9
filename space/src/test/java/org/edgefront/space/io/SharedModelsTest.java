package org.edgefront.space.io;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class SharedModelsTest {
    @TempDir
    Path dir;

    @Test
    void inCiAMissingSharedFileFailsTheTest() {
        assertTrue(SharedModels.required("true", null));
        assertTrue(SharedModels.required(null, "true"));
        assertThrows(AssertionFailedError.class, () -> SharedModels.require(dir.resolve("absent/models/x.bin"), true));
    }

    @Test
    void locallyAMissingFileInAnExistingModelsDirectoryFails() throws Exception {
        Path models = Files.createDirectories(dir.resolve("models"));
        assertThrows(AssertionFailedError.class, () -> SharedModels.require(models.resolve("x.bin"), false));
        Files.writeString(models.resolve("x.bin"), "x");
        assertDoesNotThrow(() -> SharedModels.require(models.resolve("x.bin"), true));
    }

    @Test
    void locallyWithoutAnySharedModelsDirectoryTheTestIsSkipped() {
        assertFalse(SharedModels.required(null, null));
        assertFalse(SharedModels.required("false", "false"));
        assertThrows(TestAbortedException.class, () -> SharedModels.require(dir.resolve("absent/models/x.bin"), false));
    }
}
