package org.edgefront.nativert;

/**
 * The native simulator rejected its input (or could not run): carries the C library's status code and
 * message. Thrown for inputs shared by a whole call (device, workload, model); per-candidate failures of a
 * batch are reported in {@link BatchResult} instead.
 */
public class NativeSimulatorException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    /** @param status the C library's {@code ef_status} code; @param message its message */
    public NativeSimulatorException(int status, String message) {
        super("native simulator status " + status + ": " + message);
        this.status = status;
    }

    /** The C library's {@code ef_status} code (1 null, 2 range, 3 enum, 4 length, 5 unsupported). */
    public int status() { return status; }
}
