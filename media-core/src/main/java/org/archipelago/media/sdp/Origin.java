package org.archipelago.media.sdp;

/** The o= line (RFC 8866 §5.2). Session id and version are kept as decimal text: browsers use up to 64-bit values. */
public record Origin(String username, String sessionId, String sessionVersion,
                     String networkType, String addressType, String address) {
    @Override
    public String toString() {
        return username + " " + sessionId + " " + sessionVersion + " " + networkType + " " + addressType + " " + address;
    }
}
