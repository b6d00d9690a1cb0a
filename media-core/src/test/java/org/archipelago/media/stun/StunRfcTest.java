package org.archipelago.media.stun;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The test vectors of <a href="https://www.rfc-editor.org/rfc/rfc5769">RFC 5769</a>, one 32-bit
 * word per line as the RFC prints them. All three use the short-term password below. Note the RFC
 * pads SOFTWARE and USERNAME with spaces (0x20), not zeros: padding is covered by the HMAC and the
 * CRC, so where our writer has to reproduce a vector byte for byte, those TLVs are copied verbatim.
 */
class StunRfcTest {
    private static final String PASSWORD = "VOkJxbRl1RmTxUk/WvJxBt";
    private static final int TRANSACTION_ID_HIGH = 0xb7e7a701;
    private static final long TRANSACTION_ID_LOW = 0xbc34d686fa87dfaeL;

    /** RFC 5769 §2.1 Sample Request. */
    private static final byte[] SAMPLE_REQUEST = hex(""
            + "00 01 00 58" // Binding request, message length 88
            + "21 12 a4 42" // magic cookie
            + "b7 e7 a7 01" // transaction id
            + "bc 34 d6 86" //   ...
            + "fa 87 df ae" //   ...
            + "80 22 00 10" // SOFTWARE, length 16
            + "53 54 55 4e" //   "STUN"
            + "20 74 65 73" //   " tes"
            + "74 20 63 6c" //   "t cl"
            + "69 65 6e 74" //   "ient"
            + "00 24 00 04" // PRIORITY, length 4
            + "6e 00 01 ff" //   0x6e0001ff
            + "80 29 00 08" // ICE-CONTROLLED, length 8
            + "93 2f f9 b1" //   tie-breaker
            + "51 26 3b 36" //   ...
            + "00 06 00 09" // USERNAME, length 9
            + "65 76 74 6a" //   "evtj"
            + "3a 68 36 76" //   ":h6v"
            + "59 20 20 20" //   "Y" and 3 bytes of padding (spaces)
            + "00 08 00 14" // MESSAGE-INTEGRITY, length 20
            + "9a ea a7 0c" //   HMAC-SHA1
            + "bf d8 cb 56" //   ...
            + "78 1e f2 b5" //   ...
            + "b2 d3 f2 49" //   ...
            + "c1 b5 71 a2" //   ...
            + "80 28 00 04" // FINGERPRINT, length 4
            + "e5 7a 3b cf" //   CRC-32 ^ 0x5354554e
    );

    /** RFC 5769 §2.2 Sample IPv4 Response: mapped address 192.0.2.1 port 32853. */
    private static final byte[] SAMPLE_IPV4_RESPONSE = hex(""
            + "01 01 00 3c" // Binding success response, message length 60
            + "21 12 a4 42" // magic cookie
            + "b7 e7 a7 01" // transaction id
            + "bc 34 d6 86" //   ...
            + "fa 87 df ae" //   ...
            + "80 22 00 0b" // SOFTWARE, length 11
            + "74 65 73 74" //   "test"
            + "20 76 65 63" //   " vec"
            + "74 6f 72 20" //   "tor" and 1 byte of padding (a space)
            + "00 20 00 08" // XOR-MAPPED-ADDRESS, length 8
            + "00 01 a1 47" //   family IPv4, port 32853 ^ 0x2112
            + "e1 12 a6 43" //   192.0.2.1 ^ magic cookie
            + "00 08 00 14" // MESSAGE-INTEGRITY, length 20
            + "2b 91 f5 99" //   HMAC-SHA1
            + "fd 9e 90 c3" //   ...
            + "8c 74 89 f9" //   ...
            + "2a f9 ba 53" //   ...
            + "f0 6b e7 d7" //   ...
            + "80 28 00 04" // FINGERPRINT, length 4
            + "c0 7d 4c 96" //   CRC-32 ^ 0x5354554e
    );

    /** RFC 5769 §2.3 Sample IPv6 Response: 2001:db8:1234:5678:11:2233:4455:6677 port 32853. */
    private static final byte[] SAMPLE_IPV6_RESPONSE = hex(""
            + "01 01 00 48" // Binding success response, message length 72
            + "21 12 a4 42" // magic cookie
            + "b7 e7 a7 01" // transaction id
            + "bc 34 d6 86" //   ...
            + "fa 87 df ae" //   ...
            + "80 22 00 0b" // SOFTWARE, length 11
            + "74 65 73 74" //   "test"
            + "20 76 65 63" //   " vec"
            + "74 6f 72 20" //   "tor" and 1 byte of padding (a space)
            + "00 20 00 14" // XOR-MAPPED-ADDRESS, length 20
            + "00 02 a1 47" //   family IPv6, port 32853 ^ 0x2112
            + "01 13 a9 fa" //   address ^ (magic cookie || transaction id)
            + "a5 d3 f1 79" //   ...
            + "bc 25 f4 b5" //   ...
            + "be d2 b9 d9" //   ...
            + "00 08 00 14" // MESSAGE-INTEGRITY, length 20
            + "a3 82 95 4e" //   HMAC-SHA1
            + "4b e6 7b f1" //   ...
            + "17 84 c9 7c" //   ...
            + "82 92 c2 75" //   ...
            + "bf e3 ed 41" //   ...
            + "80 28 00 04" // FINGERPRINT, length 4
            + "c8 fb 0b 4c" //   CRC-32 ^ 0x5354554e
    );

    /** Where each response vector's SOFTWARE attribute starts, and its length with padding. */
    private static final int RESPONSE_SOFTWARE_INDEX = 20;
    private static final int RESPONSE_SOFTWARE_TLV_LENGTH = 16;
    /** Where the request vector's USERNAME attribute starts, and its length with padding. */
    private static final int REQUEST_USERNAME_INDEX = 60;
    private static final int REQUEST_USERNAME_TLV_LENGTH = 16;

    private final StunMessage message = new StunMessage();
    private final StunMessageIntegrity integrity = StunMessageIntegrity.forShortTermPassword(PASSWORD);
    private final StunFingerprint fingerprint = new StunFingerprint();
    private final StunMessageWriter writer = new StunMessageWriter();

    @ParameterizedTest(name = "direct buffer: {0}")
    @ValueSource(booleans = {false, true})
    void sampleRequestParsesAndVerifies(boolean direct) {
        ByteBuf buf = copyOf(SAMPLE_REQUEST, direct);
        try {
            assertEquals(StunParseResult.VALID, message.wrap(buf));
            assertEquals(StunMessage.BINDING_REQUEST, message.messageType());
            assertEquals(StunMessage.CLASS_REQUEST, message.messageClass());
            assertEquals(StunMessage.METHOD_BINDING, message.method());
            assertTrue(message.transactionIdEquals(TRANSACTION_ID_HIGH, TRANSACTION_ID_LOW));
            assertFalse(message.transactionIdEquals(TRANSACTION_ID_HIGH, TRANSACTION_ID_LOW + 1));
            byte[] transactionId = new byte[StunMessage.TRANSACTION_ID_LENGTH];
            message.copyTransactionId(transactionId, 0);
            assertArrayEquals(hex("b7 e7 a7 01 bc 34 d6 86 fa 87 df ae"), transactionId);

            assertTrue(message.usernameEquals(ascii("evtj:h6vY")));
            assertFalse(message.usernameEquals(ascii("evtj:h6v")));
            assertTrue(message.usernameHasLocalPart(ascii("evtj")));
            assertFalse(message.usernameHasLocalPart(ascii("evt")));
            assertEquals("evtj", message.usernameLocalPart());
            assertEquals(0x6e0001ffL, message.priority());
            assertTrue(message.hasIceControlled());
            assertFalse(message.hasIceControlling());
            assertEquals(0x932ff9b151263b36L, message.tieBreaker());
            assertFalse(message.hasUseCandidate());
            assertEquals(0, message.xorMappedAddressFamily());

            assertTrue(integrity.verify(message));
            assertFalse(StunMessageIntegrity.forShortTermPassword("VOkJxbRl1RmTxUk/WvJxBu").verify(message));
            assertTrue(fingerprint.verify(message));
            assertEquals(0, buf.readerIndex(), "the view must not consume the buffer");
        } finally {
            buf.release();
        }
    }

    @Test
    void localUfragOfReadsTheUsernameBeforeTheColon() {
        ByteBuf buf = copyOf(SAMPLE_REQUEST, false);
        ByteBuf notStun = copyOf(new byte[] {(byte) 0x80, 0, 0, 0}, false);
        try {
            assertEquals("evtj", StunMessage.localUfragOf(buf));
            assertNull(StunMessage.localUfragOf(notStun));
        } finally {
            buf.release();
            notStun.release();
        }
    }

    @ParameterizedTest(name = "direct buffer: {0}")
    @ValueSource(booleans = {false, true})
    void ipv4ResponseParsesAndVerifies(boolean direct) throws Exception {
        ByteBuf buf = copyOf(SAMPLE_IPV4_RESPONSE, direct);
        try {
            assertEquals(StunParseResult.VALID, message.wrap(buf));
            assertEquals(StunMessage.BINDING_SUCCESS_RESPONSE, message.messageType());
            assertEquals(StunMessage.CLASS_SUCCESS_RESPONSE, message.messageClass());
            assertEquals(StunMessage.METHOD_BINDING, message.method());
            assertEquals(StunAttribute.FAMILY_IPV4, message.xorMappedAddressFamily());
            assertEquals(32853, message.xorMappedPort());
            byte[] address = new byte[16];
            assertEquals(4, message.copyXorMappedAddress(address));
            assertArrayEquals(new byte[] {(byte) 192, 0, 2, 1}, Arrays.copyOf(address, 4));
            assertEquals(new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 32853), message.xorMappedAddress());
            assertTrue(integrity.verify(message));
            assertTrue(fingerprint.verify(message));
        } finally {
            buf.release();
        }
    }

    @ParameterizedTest(name = "direct buffer: {0}")
    @ValueSource(booleans = {false, true})
    void ipv6ResponseParsesAndVerifies(boolean direct) throws Exception {
        ByteBuf buf = copyOf(SAMPLE_IPV6_RESPONSE, direct);
        try {
            assertEquals(StunParseResult.VALID, message.wrap(buf));
            assertEquals(StunMessage.BINDING_SUCCESS_RESPONSE, message.messageType());
            assertEquals(StunAttribute.FAMILY_IPV6, message.xorMappedAddressFamily());
            assertEquals(new InetSocketAddress(InetAddress.getByName("2001:db8:1234:5678:11:2233:4455:6677"), 32853),
                    message.xorMappedAddress());
            assertTrue(integrity.verify(message));
            assertTrue(fingerprint.verify(message));
        } finally {
            buf.release();
        }
    }

    @Test
    void everySingleBitFlipAfterTheHeaderFailsIntegrityOrFingerprint() {
        for (int bit = StunMessage.HEADER_LENGTH * 8; bit < SAMPLE_REQUEST.length * 8; bit++) {
            byte[] corrupted = SAMPLE_REQUEST.clone();
            corrupted[bit / 8] ^= (byte) (0x80 >>> (bit % 8));
            ByteBuf buf = copyOf(corrupted, false);
            try {
                if (message.wrap(buf) == StunParseResult.VALID) {
                    assertFalse(integrity.verify(message) && fingerprint.verify(message), "bit " + bit);
                }
            } finally {
                buf.release();
            }
        }
    }

    @ParameterizedTest(name = "direct buffer: {0}")
    @ValueSource(booleans = {false, true})
    void writerReproducesTheIpv4Response(boolean direct) throws Exception {
        assertWriterReproducesResponse(SAMPLE_IPV4_RESPONSE, InetAddress.getByName("192.0.2.1"), direct);
    }

    @ParameterizedTest(name = "direct buffer: {0}")
    @ValueSource(booleans = {false, true})
    void writerReproducesTheIpv6Response(boolean direct) throws Exception {
        assertWriterReproducesResponse(SAMPLE_IPV6_RESPONSE,
                InetAddress.getByName("2001:db8:1234:5678:11:2233:4455:6677"), direct);
    }

    private void assertWriterReproducesResponse(byte[] vector, InetAddress mapped, boolean direct) {
        ByteBuf out = allocator(direct).buffer(128);
        try {
            out.writeByte(0x55); // a byte before the message: the writer must start at writerIndex
            writer.begin(out, StunMessage.BINDING_SUCCESS_RESPONSE, TRANSACTION_ID_HIGH, TRANSACTION_ID_LOW);
            out.writeBytes(vector, RESPONSE_SOFTWARE_INDEX, RESPONSE_SOFTWARE_TLV_LENGTH);
            writer.xorMappedAddress(mapped.getAddress(), 32853).messageIntegrity(integrity).fingerprint();
            assertEquals(vector.length, writer.length());
            assertEquals(ByteBufUtil.hexDump(vector), ByteBufUtil.hexDump(out, 1, out.readableBytes() - 1));
        } finally {
            out.release();
        }
    }

    @Test
    void writerReproducesTheSampleRequest() {
        ByteBuf out = UnpooledByteBufAllocator.DEFAULT.heapBuffer(128);
        try {
            writer.begin(out, StunMessage.BINDING_REQUEST, TRANSACTION_ID_HIGH, TRANSACTION_ID_LOW)
                    .software(ascii("STUN test client"))
                    .priority(0x6e0001ffL)
                    .iceControlled(0x932ff9b151263b36L);
            out.writeBytes(SAMPLE_REQUEST, REQUEST_USERNAME_INDEX, REQUEST_USERNAME_TLV_LENGTH);
            writer.messageIntegrity(integrity).fingerprint();
            assertEquals(ByteBufUtil.hexDump(SAMPLE_REQUEST), ByteBufUtil.hexDump(out));
        } finally {
            out.release();
        }
    }

    @Test
    void bindingSuccessResponseAnswersTheSampleRequest() throws Exception {
        ByteBuf request = copyOf(SAMPLE_REQUEST, false);
        ByteBuf out = PooledByteBufAllocator.DEFAULT.directBuffer(StunMessageWriter.BINDING_SUCCESS_RESPONSE_MAX_LENGTH);
        StunMessage response = new StunMessage();
        try {
            assertEquals(StunParseResult.VALID, message.wrap(request));
            byte[] mapped = InetAddress.getByName("2001:db8::1").getAddress();
            int written = writer.writeBindingSuccessResponse(out, message, mapped, 40000, integrity);
            assertEquals(StunMessageWriter.BINDING_SUCCESS_RESPONSE_MAX_LENGTH, written);
            assertEquals(written, out.readableBytes());

            assertEquals(StunParseResult.VALID, response.wrap(out));
            assertEquals(StunMessage.BINDING_SUCCESS_RESPONSE, response.messageType());
            assertTrue(response.transactionIdEquals(TRANSACTION_ID_HIGH, TRANSACTION_ID_LOW));
            assertEquals(new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 40000), response.xorMappedAddress());
            assertTrue(integrity.verify(response));
            assertTrue(fingerprint.verify(response));
        } finally {
            request.release();
            out.release();
        }
    }

    private static ByteBufAllocator allocator(boolean direct) {
        return direct ? PooledByteBufAllocator.DEFAULT : UnpooledByteBufAllocator.DEFAULT;
    }

    private static ByteBuf copyOf(byte[] bytes, boolean direct) {
        ByteBuf buf = direct
                ? PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length)
                : UnpooledByteBufAllocator.DEFAULT.heapBuffer(bytes.length);
        return buf.writeBytes(bytes);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] hex(String spaced) {
        return ByteBufUtil.decodeHexDump(spaced.replace(" ", ""));
    }
}
