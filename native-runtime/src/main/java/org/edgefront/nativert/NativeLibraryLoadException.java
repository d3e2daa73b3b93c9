package org.edgefront.nativert;

/** The native library could not be found in the jar or could not be loaded; there is no fallback. */
public class NativeLibraryLoadException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NativeLibraryLoadException(String message, Throwable cause) { super(message, cause); }
}
