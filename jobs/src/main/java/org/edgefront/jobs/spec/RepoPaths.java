package org.edgefront.jobs.spec;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.edgefront.space.input.InvalidInputException;

/** Locates the repository's {@code configs} folder for the default device and model directories. */
public final class RepoPaths {
    private RepoPaths() {}

    /**
     * {@code configs/<name>} under the repository root: the {@code edgefront.root} system property, else the
     * first ancestor of the working directory or of the running jar that has {@code configs/devices}.
     */
    public static Path config(String name) {
        String prop = System.getProperty("edgefront.root");
        if (prop != null && Files.isDirectory(Path.of(prop, "configs", name))) return Path.of(prop, "configs", name);
        Path found = search(Path.of("").toAbsolutePath());
        if (found == null) {
            try {
                found = search(Path.of(RepoPaths.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
            } catch (URISyntaxException | SecurityException | NullPointerException e) {
                found = null;
            }
        }
        if (found == null) {
            throw new InvalidInputException("configs/" + name, "--" + name,
                    "cannot find the repository's configs/" + name + " (run inside the repository, set -Dedgefront.root or pass --" + name + ")");
        }
        return found.resolve("configs").resolve(name);
    }

    /**
     * The repository's spec sheet of devices without a written profile ({@code configs/devices/spec-sheet.csv},
     * {@link org.edgefront.nativert.tools.DeviceSpecSheet#REPOSITORY_SHEET}), or null outside a repository or without it.
     */
    public static Path deviceSpecSheet() {
        try {
            Path p = config("devices").resolve(org.edgefront.nativert.tools.DeviceSpecSheet.REPOSITORY_SHEET);
            return Files.isRegularFile(p) ? p : null;
        } catch (InvalidInputException e) {
            return null;
        }
    }

    private static Path search(Path start) {
        for (Path p = start; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("configs/devices")) && Files.isDirectory(p.resolve("configs/models"))) return p;
        }
        return null;
    }
}
