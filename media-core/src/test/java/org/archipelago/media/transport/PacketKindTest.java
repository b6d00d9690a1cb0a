package org.archipelago.media.transport;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** RFC 7983 §7 first-byte ranges and the RFC 5761 §4 RTP/RTCP split, row by row. */
class PacketKindTest {

    @ParameterizedTest(name = "first={0} second={1} -> {2}")
    @CsvSource({
            // STUN: 0..3
            "0, 1, STUN",
            "1, 1, STUN",
            "3, 255, STUN",
            // 4..15 unassigned, 16..19 ZRTP: not ours
            "4, 0, UNKNOWN",
            "16, 0, UNKNOWN",
            "19, 0, UNKNOWN",
            // DTLS: 20..63 (22 = handshake, 23 = application data, 21 = alert)
            "20, 254, DTLS",
            "22, 254, DTLS",
            "63, 0, DTLS",
            // TURN channels 64..79 and the rest below 128
            "64, 0, UNKNOWN",
            "127, 0, UNKNOWN",
            // RTP: version 2 gives 128..191; second byte = marker + payload type
            "128, 96, RTP",
            "128, 224, RTP",      // marker set, PT 96
            "144, 111, RTP",      // extension bit set
            "191, 0, RTP",
            // RTCP types 192..223 (SR 200, RR 201, SDES 202, BYE 203, RTPFB 205, PSFB 206)
            "128, 200, RTCP",
            "129, 201, RTCP",
            "129, 205, RTCP",
            "129, 206, RTCP",
            "128, 192, RTCP",
            "128, 223, RTCP",
            // one-byte RTP-range datagram: cannot be told apart, dropped
            "128, -1, UNKNOWN",
            "192, 96, UNKNOWN",
            "255, 0, UNKNOWN",
    })
    void classifiesByFirstBytes(int first, int second, PacketKind expected) {
        assertEquals(expected, PacketKind.classify(first, second));
    }
}
