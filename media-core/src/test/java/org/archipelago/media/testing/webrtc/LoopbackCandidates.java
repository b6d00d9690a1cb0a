package org.archipelago.media.testing.webrtc;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Rewrites the candidates of an SDP that libwebrtc gathered with adapter enumeration disabled so
 * that they name 127.0.0.1, the only address tests may send to.
 *
 * <p>Why this is sound: with {@code PORTALLOCATOR_DISABLE_ADAPTER_ENUMERATION} libwebrtc binds its
 * UDP socket to the wildcard address (0.0.0.0) and advertises the "default local address" (the
 * source address of the default route, e.g. 192.0.2.2) with the socket's port. A socket bound to
 * 0.0.0.0 receives datagrams sent to 127.0.0.1 on the same port, and what it sends to 127.0.0.1
 * leaves with source 127.0.0.1, so advertising {@code 127.0.0.1:port} instead keeps every packet
 * on loopback. IPv6 candidates (bound to {@code ::}) are dropped rather than rewritten: one
 * address family is enough and keeps the remote side from pairing across families.
 *
 * <p>Only the SDP handed to the remote side is rewritten; libwebrtc's own local description (and
 * its {@code local-candidate} stats) still show the default local address.
 *
 * <p>Candidate attribute grammar (RFC 8839 section 5.1):
 * <pre>
 * candidate-attribute = "candidate" ":" foundation SP component-id SP transport SP priority SP
 *                       connection-address SP port SP "typ" SP cand-type *(SP extension)
 * </pre>
 */
final class LoopbackCandidates {
    static final String LOOPBACK_V4 = "127.0.0.1";

    private static final String CANDIDATE_PREFIX = "a=candidate:";
    private static final String CONNECTION_V4_PREFIX = "c=IN IP4 ";
    /** Token positions in a candidate attribute split on spaces (RFC 8839 section 5.1). */
    private static final int ADDRESS_TOKEN = 4;
    private static final int TYP_TOKEN = 6;
    private static final int TYPE_TOKEN = 7;
    private static final Pattern LINE_BREAK = Pattern.compile("\r\n|\n");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private LoopbackCandidates() {
    }

    /**
     * Returns {@code sdp} with every IPv4 host candidate's address, and every IPv4 connection
     * address other than 0.0.0.0, replaced by 127.0.0.1, and IPv6 candidates removed. Lines keep
     * the line ending the SDP used (CRLF, as RFC 8866 requires, or LF).
     */
    static String rewrite(String sdp) {
        String eol = sdp.contains("\r\n") ? "\r\n" : "\n";
        List<String> out = new ArrayList<>();
        for (String line : LINE_BREAK.split(sdp, -1)) {
            if (line.startsWith(CANDIDATE_PREFIX)) {
                String rewritten = rewriteCandidate(line);
                if (rewritten != null) {
                    out.add(rewritten);
                }
            } else if (line.startsWith(CONNECTION_V4_PREFIX)
                    && !line.equals(CONNECTION_V4_PREFIX + "0.0.0.0")) {
                out.add(CONNECTION_V4_PREFIX + LOOPBACK_V4);
            } else {
                out.add(line);
            }
        }
        return String.join(eol, out);
    }

    /** Returns the rewritten candidate line, or null to drop it. */
    private static String rewriteCandidate(String line) {
        String[] tokens = line.split(" ");
        if (tokens.length <= TYPE_TOKEN || !"typ".equals(tokens[TYP_TOKEN])) {
            return line; // not a candidate we understand: leave it for the remote side to judge
        }
        String address = tokens[ADDRESS_TOKEN];
        if (address.indexOf(':') >= 0) {
            return null; // IPv6
        }
        if (!"host".equals(tokens[TYPE_TOKEN]) || !IPV4.matcher(address).matches()) {
            return line;
        }
        tokens[ADDRESS_TOKEN] = LOOPBACK_V4;
        return String.join(" ", tokens);
    }
}
