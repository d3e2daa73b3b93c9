package org.edgefront.space.io;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** Locates the read-only shared reference data (surefire sets {@code edgefront.shared}). */
public final class SharedModels {
    private SharedModels() { }

    /** The shared models directory. */
    public static Path dir() {
        return Path.of(System.getProperty("edgefront.shared", "../shared")).resolve("models");
    }

    /** A file in the shared models directory; fails the test when it is missing. */
    public static String file(String name) {
        Path p = dir().resolve(name);
        Assumptions.assumeTrue(Files.isRegularFile(p), "shared data missing: " + p);
        return p.toString();
    }
}
