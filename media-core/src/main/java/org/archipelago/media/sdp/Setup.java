package org.archipelago.media.sdp;

/** The a=setup attribute (RFC 4145 §4, used for DTLS by RFC 8842 §5): who opens the DTLS association. */
public enum Setup {
    /** The endpoint is the DTLS client. */
    ACTIVE("active"),
    /** The endpoint is the DTLS server. */
    PASSIVE("passive"),
    /** Offer only: either role; the answerer picks (RFC 8842 §5.2). */
    ACTPASS("actpass"),
    HOLDCONN("holdconn");

    private final String token;

    Setup(String token) {
        this.token = token;
    }

    public String token() {
        return token;
    }

    /** The setup role named by {@code token}, or null when it names none. */
    public static Setup fromToken(String token) {
        for (Setup setup : values()) {
            if (setup.token.equals(token)) {
                return setup;
            }
        }
        return null;
    }
}
