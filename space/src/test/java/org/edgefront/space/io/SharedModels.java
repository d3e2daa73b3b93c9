package org.edgefront.space.io;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Locates the read-only shared reference data (surefire sets {@code edgefront.shared}).
 *
 * <p>A missing file fails the test: in CI (environment {@code CI=true}, as CI services set it, or
 * {@code -Dedgefront.requireShared=true}) always; locally too when the shared models directory exists, since a
 * partial copy is a broken setup. Only a local checkout with no shared models directory at all skips, so that a
 * fresh clone without the data still runs the rest of the suite.
 */
public final class SharedModels {
    private SharedModels() { }

    /** The shared models directory. */
    public static Path dir() {
        return Path.of(System.getProperty("edgefront.shared", "../shared")).resolve("models");
    }

    /** A file in the shared models directory; fails (or, locally without any shared data, skips) when it is missing. */
    public static String file(String name) {
        Path p = dir().resolve(name);
        require(p, required(System.getenv("CI"), System.getProperty("edgefront.requireShared")));
        return p.toString();
    }

    /** Whether missing shared data must fail whatever the local setup: in CI or when asked to. */
    static boolean required(String ciEnv, String requireProperty) {
        return "true".equalsIgnoreCase(ciEnv) || "1".equals(ciEnv) || "true".equalsIgnoreCase(requireProperty);
    }

    /** Fails when {@code p} is missing and {@code required} or its models directory exists; otherwise skips. */
    static void require(Path p, boolean required) {
        if (Files.isRegularFile(p)) return;
        if (required || Files.isDirectory(p.getParent())) Assertions.fail("shared data missing: " + p);
        Assumptions.abort("no shared models directory, test skipped: " + p.getParent());
    }
}
