package org.archipelago.media.testing.webrtc;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** One SDP line in, what {@link LoopbackCandidates#rewrite} makes of it out ("" = dropped). */
class LoopbackCandidatesTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // IPv4 host candidate of a wildcard-bound socket: address becomes loopback, rest kept
        "a=candidate:1 1 udp 2113937151 192.0.2.2 40482 typ host generation 0 network-cost 999"
            + " | a=candidate:1 1 udp 2113937151 127.0.0.1 40482 typ host generation 0 network-cost 999",
        // already loopback
        "a=candidate:1 1 udp 2113937151 127.0.0.1 5000 typ host | a=candidate:1 1 udp 2113937151 127.0.0.1 5000 typ host",
        // IPv6 candidates are dropped
        "a=candidate:2 1 udp 2113942271 fd00::2 58470 typ host generation 0 | ''",
        // non-host candidates are left alone (none are gathered without STUN/TURN servers)
        "a=candidate:3 1 udp 1686052607 203.0.113.7 6000 typ srflx raddr 192.0.2.2 rport 5000"
            + " | a=candidate:3 1 udp 1686052607 203.0.113.7 6000 typ srflx raddr 192.0.2.2 rport 5000",
        // mDNS host names are not IPv4 literals: left alone
        "a=candidate:4 1 udp 2113937151 abc.local 5000 typ host | a=candidate:4 1 udp 2113937151 abc.local 5000 typ host",
        // connection line of a section with candidates
        "c=IN IP4 192.0.2.2 | c=IN IP4 127.0.0.1",
        // the placeholder connection address before gathering, and the RTCP one, stay
        "c=IN IP4 0.0.0.0 | c=IN IP4 0.0.0.0",
        "a=rtcp:9 IN IP4 0.0.0.0 | a=rtcp:9 IN IP4 0.0.0.0",
        // anything else is untouched
        "m=video 40482 UDP/TLS/RTP/SAVPF 96 97 | m=video 40482 UDP/TLS/RTP/SAVPF 96 97",
    })
    void rewritesOneLine(String in, String out) {
        assertEquals(out, LoopbackCandidates.rewrite(in).strip());
    }

    @ParameterizedTest
    @CsvSource({"'\r\n'", "'\n'"})
    void keepsLineEndingsAndDropsWholeLines(String eol) {
        String sdp = String.join(eol, "v=0",
                "c=IN IP4 192.0.2.2",
                "a=candidate:1 1 udp 1 192.0.2.2 9 typ host",
                "a=candidate:2 1 udp 1 fd00::2 9 typ host",
                "a=mid:0", "");
        String expected = String.join(eol, "v=0",
                "c=IN IP4 127.0.0.1",
                "a=candidate:1 1 udp 1 127.0.0.1 9 typ host",
                "a=mid:0", "");
        assertEquals(expected, LoopbackCandidates.rewrite(sdp));
    }
}
