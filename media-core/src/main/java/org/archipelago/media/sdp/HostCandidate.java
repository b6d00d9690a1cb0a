package org.archipelago.media.sdp;

/**
 * A host candidate of the server, from configuration: an IPv4 or IPv6 address literal and the shared
 * UDP port. Written as {@code a=candidate:<foundation> 1 udp <priority> <address> <port> typ host}
 * (RFC 8839 §5.1).
 */
public record HostCandidate(String address, int port) {
    public HostCandidate {
        if (address == null || address.isEmpty() || address.indexOf(' ') >= 0) {
            throw new IllegalArgumentException("candidate address must be an IP address literal: " + address);
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("candidate port out of range: " + port);
        }
    }

    /** Whether the address is IPv6, for the c= line's address type (RFC 8866 §5.7). */
    public boolean isIpv6() {
        return address.indexOf(':') >= 0;
    }
}
