package org.edgefront.space.input;

/**
 * Bad input or configuration: a malformed model file, a wrong YAML key, an impossible budget.
 * Always names the offending file (or URI) and the field, key or byte offset, so a user can fix it.
 * The CLI maps it to exit code 2 and prints {@link #getMessage()} without a stack trace.
 */
public class InvalidInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String file;
    private final String field;
    private final String problem;

    /**
     * @param file  the file or URI that is wrong ("-" when the input has no file, e.g. a CLI option)
     * @param field the field, key, tensor name or byte offset within it
     * @param problem what is wrong, phrased for the user
     */
    public InvalidInputException(String file, String field, String problem) {
        super(message(file, field, problem));
        this.file = file;
        this.field = field;
        this.problem = problem;
    }

    public InvalidInputException(String file, String field, String problem, Throwable cause) {
        super(message(file, field, problem), cause);
        this.file = file;
        this.field = field;
        this.problem = problem;
    }

    /** "file: field: problem", or "field: problem" when the input has no file ("-", e.g. a command-line option). */
    private static String message(String file, String field, String problem) {
        return ("-".equals(file) ? "" : file + ": ") + field + ": " + problem;
    }

    /** What is wrong, without the file and field. */
    public String problem() { return problem; }

    /** The file or URI that is wrong. */
    public String file() { return file; }

    /** The field, key or byte offset within {@link #file()}. */
    public String field() { return field; }
}
