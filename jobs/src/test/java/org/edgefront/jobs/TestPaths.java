package org.edgefront.jobs;

import java.nio.file.Path;

/** Where tests find the repository's configs and the shared data (set by surefire). */
public final class TestPaths {
    private TestPaths() {}

    public static Path root() { return Path.of(System.getProperty("edgefront.root", "..")).toAbsolutePath().normalize(); }

    public static Path shared() { return Path.of(System.getProperty("edgefront.shared", "../../shared")).toAbsolutePath().normalize(); }

    public static Path device(String name) { return root().resolve("configs/devices/" + name + ".yaml"); }
}
