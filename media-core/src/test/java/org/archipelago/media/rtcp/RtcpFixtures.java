package org.archipelago.media.rtcp;

/** Byte fixtures, one 32-bit word per line, shared by the parser, iterator and fuzz tests. */
final class RtcpFixtures {
    private RtcpFixtures() {
    }

    /** A compound packet as a sender emits it: SR with one report block, then SDES with a CNAME. */
    static final int[] SENDER_REPORT_AND_SDES = {
            0x81, 0xC8, 0x00, 0x0C, // V=2 P=0 RC=1 | PT=200 SR | length 12 (52 bytes)
            0x4A, 0x1C, 0x2E, 0x77, // sender SSRC
            0xE8, 0x3D, 0x6C, 0x80, // NTP timestamp, seconds
            0x80, 0x00, 0x00, 0x00, // NTP timestamp, fraction (0.5 s)
            0x00, 0x01, 0x5F, 0x90, // RTP timestamp 90000
            0x00, 0x00, 0x01, 0x2C, // sender's packet count 300
            0x00, 0x05, 0x7E, 0x40, // sender's octet count 360000
            0x12, 0x34, 0x56, 0x78, // report block: SSRC of source
            0x0A, 0xFF, 0xFF, 0xFE, // fraction lost 10/256 | cumulative lost -2 (duplicates)
            0x00, 0x01, 0x00, 0x05, // extended highest sequence number: cycle 1, seq 5
            0x00, 0x00, 0x00, 0x20, // interarrival jitter 32
            0x6C, 0x80, 0x80, 0x00, // last SR: middle 32 bits of its NTP timestamp
            0x00, 0x01, 0x80, 0x00, // delay since last SR 1.5 s (in 1/65536 s)
            0x81, 0xCA, 0x00, 0x06, // V=2 P=0 SC=1 | PT=202 SDES | length 6 (28 bytes)
            0x4A, 0x1C, 0x2E, 0x77, // chunk: SSRC
            0x01, 0x0F, 0x61, 0x72, // CNAME, 15 bytes: "ar
            0x63, 0x68, 0x69, 0x70, // chip
            0x65, 0x6C, 0x61, 0x67, // elag
            0x6F, 0x40, 0x73, 0x66, // o@sf
            0x75, 0x00, 0x00, 0x00, // u" | end of items | null octets to the boundary
    };

    /** Generic NACK with two pairs, the first reaching across the sequence-number wrap. */
    static final int[] NACK = {
            0x81, 0xCD, 0x00, 0x04, // V=2 P=0 FMT=1 | PT=205 RTPFB | length 4 (20 bytes)
            0x00, 0x00, 0x00, 0x01, // SSRC of packet sender
            0x12, 0x34, 0x56, 0x78, // SSRC of media source
            0xFF, 0xFE, 0x00, 0x05, // PID 65534 | BLP bits 0, 2: 65535 and 1 lost too
            0x00, 0x64, 0x80, 0x00, // PID 100 | BLP bit 15: 116 lost too
    };

    /** Transport-wide feedback for sequence numbers 10-17 with a run chunk, a two-bit vector and padding. */
    static final int[] TRANSPORT_WIDE_FEEDBACK = {
            0xAF, 0xCD, 0x00, 0x07, // V=2 P=1 FMT=15 | PT=205 RTPFB | length 7 (32 bytes)
            0x00, 0x00, 0x00, 0x01, // SSRC of packet sender
            0x00, 0x00, 0x00, 0x02, // SSRC of media source
            0x00, 0x0A, 0x00, 0x08, // base sequence number 10 | packet status count 8
            0x00, 0x00, 0x10, 0x03, // reference time 16 (x 64 ms = 1.024 s) | feedback packet count 3
            0x20, 0x03, 0xC9, 0x10, // run: 3 x small delta | two-bit vector: lost large small lost small (2 unused)
            0x04, 0x00, 0x08, 0xFF, // deltas: 1 ms, 0, 2 ms | large delta, high byte
            0xFC, 0x10, 0x01, 0x01, // large delta -4 (-1 ms) | 4 ms | 250 us | padding count 1
    };

    /** REMB of 1 Mbps (mantissa 250000, exponent 2) for two SSRCs. */
    static final int[] REMB = {
            0x8F, 0xCE, 0x00, 0x06, // V=2 P=0 FMT=15 | PT=206 PSFB | length 6 (28 bytes)
            0x00, 0x00, 0x00, 0x01, // SSRC of packet sender
            0x00, 0x00, 0x00, 0x00, // SSRC of media source: unused, 0
            0x52, 0x45, 0x4D, 0x42, // unique identifier "REMB"
            0x02, 0x0B, 0xD0, 0x90, // 2 SSRCs | exponent 2 (6 bits) mantissa 250000 (18 bits)
            0x11, 0x11, 0x11, 0x11, // SSRC feedback 1
            0x22, 0x22, 0x22, 0x22, // SSRC feedback 2
    };

    /** PLI followed by a FIR, as a receiver asks for a key frame. */
    static final int[] PLI_AND_FIR = {
            0x81, 0xCE, 0x00, 0x02, // V=2 P=0 FMT=1 | PT=206 PSFB | length 2 (12 bytes)
            0x00, 0x00, 0x00, 0x01, // SSRC of packet sender
            0x4A, 0x1C, 0x2E, 0x77, // SSRC of media source
            0x84, 0xCE, 0x00, 0x04, // V=2 P=0 FMT=4 | PT=206 PSFB | length 4 (20 bytes)
            0x00, 0x00, 0x00, 0x01, // SSRC of packet sender
            0x00, 0x00, 0x00, 0x00, // SSRC of media source: unused, 0
            0x4A, 0x1C, 0x2E, 0x77, // FCI: SSRC of the media sender
            0x07, 0x00, 0x00, 0x00, // command sequence number 7 | reserved
    };

    /** BYE for two SSRCs with the reason "bye" padded to the boundary. */
    static final int[] GOODBYE = {
            0x82, 0xCB, 0x00, 0x03, // V=2 P=0 SC=2 | PT=203 BYE | length 3 (16 bytes)
            0x11, 0x11, 0x11, 0x11, // SSRC 1
            0x22, 0x22, 0x22, 0x22, // SSRC 2
            0x03, 0x62, 0x79, 0x65, // reason length 3 | "bye"
    };

    /** RR with no report block, as a receive-only peer sends alongside feedback. */
    static final int[] EMPTY_RECEIVER_REPORT = {
            0x80, 0xC9, 0x00, 0x01, // V=2 P=0 RC=0 | PT=201 RR | length 1 (8 bytes)
            0x00, 0x00, 0x00, 0x01, // SSRC of packet sender
    };

    /** XR with an RRTR, as a receiver sends it for a round trip without sending media (RFC 3611 §4.4). */
    static final int[] EXTENDED_REPORT_RRTR = {
            0x80, 0xCF, 0x00, 0x04, // V=2 P=0 reserved | PT=207 XR | length 4 (20 bytes)
            0x00, 0x00, 0x00, 0x01, // SSRC of packet sender
            0x04, 0x00, 0x00, 0x02, // BT=4 RRTR | reserved | block length 2 (12 bytes)
            0xE8, 0x3D, 0x6C, 0x80, // NTP timestamp, seconds
            0x80, 0x00, 0x00, 0x00, // NTP timestamp, fraction (0.5 s)
    };

    /**
     * XR answering two RRTRs with a DLRR (RFC 3611 §4.5), after a block of a type the reader does
     * not know (VoIP metrics, BT=7, shortened): skipped, not refused.
     */
    static final int[] EXTENDED_REPORT_DLRR = {
            0x80, 0xCF, 0x00, 0x0A, // V=2 P=0 reserved | PT=207 XR | length 10 (44 bytes)
            0x4A, 0x1C, 0x2E, 0x77, // SSRC of packet sender
            0x07, 0x00, 0x00, 0x01, // BT=7 (not read) | type-specific | block length 1 (8 bytes)
            0xAB, 0xCD, 0xEF, 0x01, // its contents
            0x05, 0x00, 0x00, 0x06, // BT=5 DLRR | reserved | block length 6: two sub-blocks
            0x00, 0x00, 0x00, 0x01, // SSRC_1: the receiver that sent the RRTR
            0x6C, 0x80, 0x80, 0x00, // LRR: middle 32 bits of that RRTR's NTP timestamp
            0x00, 0x00, 0x80, 0x00, // DLRR: 0.5 s (in 1/65536 s)
            0x12, 0x34, 0x56, 0x78, // SSRC_2
            0x00, 0x00, 0x00, 0x00, // LRR 0: no RRTR received from it
            0x00, 0x00, 0x00, 0x00, // DLRR 0
    };

    static int[] concat(int[]... parts) {
        int length = 0;
        for (int[] part : parts) {
            length += part.length;
        }
        int[] all = new int[length];
        int position = 0;
        for (int[] part : parts) {
            System.arraycopy(part, 0, all, position, part.length);
            position += part.length;
        }
        return all;
    }
}
