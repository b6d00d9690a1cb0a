package org.archipelago.media.sdp;

/**
 * A session description that is malformed or exceeds the parser's bounds.
 *
 * <p>The message names the 1-based line number and the offending line, so that a signaling layer
 * can return it to the client as is, e.g. {@code line 14: a=rtpmap:abc opus/48000/2: payload type
 * is not a number}.
 */
public final class SdpParseException extends Exception {
    private static final int MAX_QUOTED_LINE_LENGTH = 120;

    private final int lineNumber;

    /** A problem with the description as a whole (size, number of lines), not with one line. */
    public SdpParseException(String message) {
        super(message);
        this.lineNumber = 0;
    }

    /** A problem with one line; {@code line} is quoted (shortened and with control characters escaped). */
    public SdpParseException(int lineNumber, String line, String reason) {
        super("line " + lineNumber + ": " + quote(line) + ": " + reason);
        this.lineNumber = lineNumber;
    }

    /** The 1-based number of the offending line, or 0 when the problem is not with a single line. */
    public int lineNumber() {
        return lineNumber;
    }

    private static String quote(String line) {
        String shortened = line.length() > MAX_QUOTED_LINE_LENGTH
                ? line.substring(0, MAX_QUOTED_LINE_LENGTH) + "..."
                : line;
        StringBuilder quoted = new StringBuilder(shortened.length());
        for (int i = 0; i < shortened.length(); i++) {
            char c = shortened.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                quoted.append(String.format("\\x%02x", (int) c));
            } else {
                quoted.append(c);
            }
        }
        return quoted.toString();
    }
}
