package org.archipelago.server.lesson;

/** A request the lesson cannot honour, with its stable {@link LessonError} and a message for the client. */
public final class LessonException extends Exception {
    private static final long serialVersionUID = 1L;

    private final LessonError error;

    public LessonException(LessonError error, String message) {
        super(message);
        this.error = error;
    }

    public LessonError error() {
        return error;
    }
}
