package org.archipelago.media.sdp;

/**
 * The media direction attributes of RFC 8866 §6.7, always from the point of view of the side that
 * wrote the description.
 */
public enum Direction {
    SENDRECV("sendrecv", true, true),
    SENDONLY("sendonly", true, false),
    RECVONLY("recvonly", false, true),
    INACTIVE("inactive", false, false);

    private final String token;
    private final boolean sends;
    private final boolean receives;

    Direction(String token, boolean sends, boolean receives) {
        this.token = token;
        this.sends = sends;
        this.receives = receives;
    }

    public String token() {
        return token;
    }

    public boolean sends() {
        return sends;
    }

    public boolean receives() {
        return receives;
    }

    /** The same media flow seen from the other side: sendonly becomes recvonly and vice versa (RFC 3264 §6.1). */
    public Direction reversed() {
        return of(receives, sends);
    }

    /** The directions both allow: what an answerer may choose when it wants {@code this} and may offer at most {@code limit}. */
    public Direction intersect(Direction limit) {
        return of(sends && limit.sends, receives && limit.receives);
    }

    public static Direction of(boolean sends, boolean receives) {
        if (sends) {
            return receives ? SENDRECV : SENDONLY;
        }
        return receives ? RECVONLY : INACTIVE;
    }

    /** The direction named by an attribute name, or null when the name is not a direction attribute. */
    public static Direction fromToken(String token) {
        for (Direction direction : values()) {
            if (direction.token.equals(token)) {
                return direction;
            }
        }
        return null;
    }
}
