package org.edgefront.nativert;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Loads {@code libedgefront_sim.so} from the class path ({@code native/linux-x86_64/}) by copying it to a
 * temporary file and calling {@link System#load}. A JVM can load a native library only once per class
 * loader, so the outcome is cached in a lazily initialized holder class (the one piece of per-JVM state,
 * forced by the JVM itself). Failure is reported, never hidden: there is no Java fallback.
 * Thread-safe.
 */
public final class NativeLibrary {
    static final String RESOURCE = "/native/linux-x86_64/libedgefront_sim.so";

    private NativeLibrary() {}

    private static final class Holder {
        static final Throwable FAILURE = loadOnce();
    }

    /**
     * Ensures the library is loaded.
     *
     * @throws NativeLibraryLoadException naming the resource and the cause when it cannot be loaded
     */
    public static void ensureLoaded() {
        Throwable t = Holder.FAILURE;
        if (t != null) {
            throw new NativeLibraryLoadException("cannot load the EdgeFront native simulator " + RESOURCE + " (os "
                    + System.getProperty("os.name") + "/" + System.getProperty("os.arch") + "): " + t.getMessage(), t);
        }
    }

    /** The C library's version string, e.g. {@code edgefront-sim 1.0.0 (api 1)}. */
    public static String version() {
        ensureLoaded();
        return NativeBridge.version();
    }

    private static Throwable loadOnce() {
        try (InputStream in = NativeLibrary.class.getResourceAsStream(RESOURCE)) {
            if (in == null) return new IOException("resource not found on the class path (was native-runtime built with cmake?)");
            Path tmp = Files.createTempFile("edgefront_sim", ".so");
            tmp.toFile().deleteOnExit();
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            System.load(tmp.toAbsolutePath().toString());
            int api = NativeBridge.apiVersion();
            if (api != NativeBridge.EXPECTED_API_VERSION) {
                return new IllegalStateException("native API version " + api + ", Java expects " + NativeBridge.EXPECTED_API_VERSION);
            }
            String wire = WireLayout.mismatch(NativeBridge.wireLayout());
            if (wire != null) return new IllegalStateException(wire);
            java.util.List<String> formats = FormatTableCheck.mismatches(NativeBridge.formatTable());
            if (!formats.isEmpty()) {
                return new IllegalStateException("the C format table (edgefront_formats.h) and the Java registry (NamedFormat) disagree: "
                        + String.join("; ", formats));
            }
            return null;
        } catch (IOException | UnsatisfiedLinkError | SecurityException e) {
            return e;
        }
    }
}
