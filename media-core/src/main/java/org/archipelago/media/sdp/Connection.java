package org.archipelago.media.sdp;

/** A c= line (RFC 8866 §5.7): {@code c=IN IP4 0.0.0.0}. */
public record Connection(String networkType, String addressType, String address) {
    public static final Connection UNSPECIFIED_IP4 = new Connection("IN", "IP4", "0.0.0.0");

    @Override
    public String toString() {
        return networkType + " " + addressType + " " + address;
    }
}
