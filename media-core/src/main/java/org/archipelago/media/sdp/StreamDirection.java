package org.archipelago.media.sdp;

/** The direction of an RTP stream in a=rid (RFC 8851 §4) and a=simulcast (RFC 8853 §5.1). */
public enum StreamDirection {
    SEND("send"),
    RECV("recv");

    private final String token;

    StreamDirection(String token) {
        this.token = token;
    }

    public String token() {
        return token;
    }

    public StreamDirection reversed() {
        return this == SEND ? RECV : SEND;
    }

    /** The direction named by {@code token}, or null. */
    public static StreamDirection fromToken(String token) {
        for (StreamDirection direction : values()) {
            if (direction.token.equals(token)) {
                return direction;
            }
        }
        return null;
    }
}
