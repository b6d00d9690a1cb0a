package org.archipelago.media.sdp;

/** The media type of an m= line (RFC 8866 §5.14), as far as WebRTC is concerned. */
public enum MediaKind {
    AUDIO("audio"),
    VIDEO("video"),
    /** Non-RTP media; in WebRTC the SCTP data channel (RFC 8841). */
    APPLICATION("application"),
    /** Any other media type (text, message, ...): kept, never accepted. */
    OTHER(null);

    private final String token;

    MediaKind(String token) {
        this.token = token;
    }

    /** The kind of an m= line's media token; {@link #OTHER} for tokens WebRTC does not use. */
    public static MediaKind fromToken(String media) {
        for (MediaKind kind : values()) {
            if (kind.token != null && kind.token.equals(media)) {
                return kind;
            }
        }
        return OTHER;
    }
}
