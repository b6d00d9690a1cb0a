package org.archipelago.media.rtcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import org.archipelago.media.testing.FixtureBuffers;
import org.junit.jupiter.api.Test;

import static org.archipelago.media.rtcp.RtcpFixtures.EMPTY_RECEIVER_REPORT;
import static org.archipelago.media.rtcp.RtcpFixtures.EXTENDED_REPORT_DLRR;
import static org.archipelago.media.rtcp.RtcpFixtures.EXTENDED_REPORT_RRTR;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RTCP XR (RFC 3611) with RRTR and DLRR blocks: the fixtures read, written, and malformed ones refused. */
class RtcpExtendedReportTest {

    @Test
    void readsAnRrtrInACompound() {
        ByteBuf buffer = FixtureBuffers.of(RtcpFixtures.concat(EMPTY_RECEIVER_REPORT, EXTENDED_REPORT_RRTR));
        try {
            RtcpCompoundIterator packets = new RtcpCompoundIterator().wrap(buffer);
            assertTrue(packets.next());
            assertTrue(packets.next());
            assertEquals(RtcpHeader.EXTENDED_REPORT, packets.packetType());
            RtcpExtendedReport xr = new RtcpExtendedReport();
            assertTrue(xr.wrap(buffer, packets.packetOffset(), packets.packetLength()));
            assertEquals(1, xr.senderSsrc());
            assertTrue(xr.nextBlock());
            assertEquals(RtcpExtendedReport.RECEIVER_REFERENCE_TIME, xr.blockType());
            assertEquals(12, xr.blockLength());
            assertEquals(0xE83D6C80_80000000L, xr.receiverReferenceTime());
            assertEquals(0x6C808000L, NtpTime.compact(xr.receiverReferenceTime()), "what a DLRR echoes as LRR");
            assertFalse(xr.nextBlock());
            assertFalse(packets.next());
            assertFalse(packets.isMalformed());
        } finally {
            buffer.release();
        }
    }

    @Test
    void readsADlrrSkippingABlockOfAnotherType() {
        ByteBuf buffer = FixtureBuffers.of(EXTENDED_REPORT_DLRR);
        try {
            RtcpExtendedReport xr = new RtcpExtendedReport();
            assertTrue(xr.wrap(buffer, 0, buffer.readableBytes()));
            assertEquals(0x4A1C2E77L, xr.senderSsrc());
            assertTrue(xr.nextBlock());
            assertEquals(7, xr.blockType(), "an unknown block is listed, to be skipped by the caller");
            assertEquals(8, xr.blockLength());
            assertTrue(xr.nextBlock());
            assertEquals(RtcpExtendedReport.DLRR, xr.blockType());
            assertEquals(2, xr.dlrrSubBlockCount());
            assertEquals(1, xr.dlrrSsrc(0));
            assertEquals(0x6C808000L, xr.dlrrLastReceiverReport(0));
            assertEquals(0x8000L, xr.dlrrDelaySinceLastReceiverReport(0));
            assertEquals(0x12345678L, xr.dlrrSsrc(1));
            assertEquals(0, xr.dlrrLastReceiverReport(1));
            assertEquals(0, xr.dlrrDelaySinceLastReceiverReport(1));
            assertFalse(xr.nextBlock());
            xr.rewind();
            assertTrue(xr.nextBlock(), "rewind starts over");
        } finally {
            buffer.release();
        }
    }

    @Test
    void writesTheFixtureBytes() {
        ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer(64);
        try {
            int start = RtcpExtendedReport.begin(out, 1);
            RtcpExtendedReport.writeReceiverReferenceTime(out, 0xE83D6C80_80000000L);
            RtcpExtendedReport.end(out, start);
            assertArrayEquals(FixtureBuffers.toArray(EXTENDED_REPORT_RRTR), ByteBufUtil.getBytes(out));

            out.clear();
            start = RtcpExtendedReport.begin(out, 0x4A1C2E77L);
            out.writeInt(0x07000001).writeInt(0xABCDEF01);   // the block of another type, as is
            int dlrr = RtcpExtendedReport.beginDlrr(out);
            RtcpExtendedReport.writeDlrrSubBlock(out, 1, 0x6C808000L, 0x8000L);
            RtcpExtendedReport.writeDlrrSubBlock(out, 0x12345678L, 0, 0);
            RtcpExtendedReport.endDlrr(out, dlrr);
            RtcpExtendedReport.end(out, start);
            assertArrayEquals(FixtureBuffers.toArray(EXTENDED_REPORT_DLRR), ByteBufUtil.getBytes(out));
        } finally {
            out.release();
        }
    }

    @Test
    void anEmptyDlrrAndAnXrWithoutBlocksAreValid() {
        ByteBuf buffer = FixtureBuffers.of(
                0x80, 0xCF, 0x00, 0x02, // XR, length 2 (12 bytes)
                0x00, 0x00, 0x00, 0x01, // SSRC
                0x05, 0x00, 0x00, 0x00  // DLRR with no sub-block
        );
        ByteBuf bare = FixtureBuffers.of(
                0x80, 0xCF, 0x00, 0x01, // XR, length 1 (8 bytes)
                0x00, 0x00, 0x00, 0x01  // SSRC, no block
        );
        try {
            RtcpExtendedReport xr = new RtcpExtendedReport();
            assertTrue(xr.wrap(buffer, 0, buffer.readableBytes()));
            assertTrue(xr.nextBlock());
            assertEquals(0, xr.dlrrSubBlockCount());
            assertTrue(xr.wrap(bare, 0, bare.readableBytes()));
            assertFalse(xr.nextBlock());
        } finally {
            buffer.release();
            bare.release();
        }
    }

    @Test
    void refusesBlocksThatDoNotFitOrHaveTheWrongLength() {
        int[][] malformed = {
                {
                        0x80, 0xCF, 0x00, 0x00, // XR, length 0 (4 bytes): no room for the SSRC
                },
                {
                        0x80, 0xCF, 0x00, 0x02, // XR, length 2 (12 bytes)
                        0x00, 0x00, 0x00, 0x01, // SSRC
                        0x04, 0x00, 0x00, 0x02, // RRTR claiming 12 bytes, 4 left in the packet
                },
                {
                        0x80, 0xCF, 0x00, 0x03, // XR, length 3 (16 bytes)
                        0x00, 0x00, 0x00, 0x01, // SSRC
                        0x04, 0x00, 0x00, 0x01, // RRTR with block length 1: 8 bytes, not 12
                        0xE8, 0x3D, 0x6C, 0x80, // half an NTP timestamp
                },
                {
                        0x80, 0xCF, 0x00, 0x04, // XR, length 4 (20 bytes)
                        0x00, 0x00, 0x00, 0x01, // SSRC
                        0x05, 0x00, 0x00, 0x02, // DLRR with block length 2: not a whole sub-block
                        0x00, 0x00, 0x00, 0x01, // SSRC_1
                        0x6C, 0x80, 0x80, 0x00, // LRR, and no DLRR
                },
                {
                        0x80, 0xCF, 0x00, 0x04, // XR, length 4 (20 bytes)
                        0x00, 0x00, 0x00, 0x01, // SSRC
                        0x05, 0x00, 0xFF, 0xFF, // DLRR claiming 262144 bytes
                        0x00, 0x00, 0x00, 0x01, //
                        0x00, 0x00, 0x00, 0x00, //
                },
                {
                        0x80, 0xCF, 0x00, 0x02, // XR, length 2 (12 bytes)
                        0x00, 0x00, 0x00, 0x01, // SSRC
                        0x07, 0x00, 0x00, 0x01, // unknown block claiming 8 bytes, 4 left: refused too
                },
                {
                        0xA0, 0xCF, 0x00, 0x02, // XR, P=1, length 2 (12 bytes)
                        0x00, 0x00, 0x00, 0x01, // SSRC
                        0x04, 0x00, 0x00, 0x03, // the last byte, 3, pads: a 1-byte block header left
                },
                {
                        0x80, 0xC9, 0x00, 0x01, // an RR, not an XR
                        0x00, 0x00, 0x00, 0x01, // SSRC
                },
        };
        RtcpExtendedReport xr = new RtcpExtendedReport();
        for (int[] bytes : malformed) {
            ByteBuf buffer = FixtureBuffers.of(bytes);
            try {
                assertFalse(xr.wrap(buffer, 0, buffer.readableBytes()), ByteBufUtil.hexDump(buffer));
                assertFalse(xr.isValid());
                assertFalse(xr.nextBlock(), "nothing to read in a refused XR");
            } finally {
                buffer.release();
            }
        }
    }
}
