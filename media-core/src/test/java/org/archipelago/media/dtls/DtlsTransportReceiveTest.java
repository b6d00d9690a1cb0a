package org.archipelago.media.dtls;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.archipelago.media.srtp.SrtpKeyingMaterial;
import org.junit.jupiter.api.Test;

import java.util.concurrent.Executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** The event-loop side of {@link DtlsTransport}: bounded, non-blocking, never throws, never owns. */
class DtlsTransportReceiveTest {
    private static final DtlsCertificate CERT = DtlsCertificate.generate();
    private static final Executor NEVER = task -> fail("not started, nothing should run");
    private static final DtlsTransport.Listener IGNORE = new DtlsTransport.Listener() {
        @Override
        public void onConnected(SrtpKeyingMaterial keys) {
        }

        @Override
        public void onClosed(String reason) {
        }
    };

    @Test
    void queueIsBoundedAndOverflowIsCounted() {
        DtlsCounters counters = new DtlsCounters();
        DtlsTransport transport = new DtlsTransport(DtlsRole.SERVER, CERT, CERT.fingerprint(), (b, o, l) -> { },
                NEVER, IGNORE, DtlsTransportConfig.defaults().withReceiveQueueCapacity(4).withCounters(counters));

        for (int i = 0; i < 10; i++) {
            ByteBuf datagram = PooledByteBufAllocator.DEFAULT.directBuffer(100).writeZero(100);
            datagram.readerIndex(3);
            transport.receive(datagram);
            // Ownership stays with the caller, indexes untouched.
            assertEquals(1, datagram.refCnt());
            assertEquals(3, datagram.readerIndex());
            datagram.release();
        }

        assertEquals(10, counters.datagramsReceived());
        assertEquals(6, counters.datagramsDroppedQueueFull());
        assertEquals(0, counters.datagramsDroppedInvalid());
    }

    @Test
    void malformedSizesAndLateDatagramsAreDroppedNotThrown() {
        DtlsCounters counters = new DtlsCounters();
        DtlsTransport transport = new DtlsTransport(DtlsRole.CLIENT, CERT, CERT.fingerprint(), (b, o, l) -> { },
                NEVER, IGNORE, DtlsTransportConfig.defaults().withCounters(counters));
        int[] badSizes = {0, 1, 12, 1501, 9000};
        for (int size : badSizes) {
            ByteBuf datagram = PooledByteBufAllocator.DEFAULT.heapBuffer(size).writeZero(size);
            transport.receive(datagram);
            datagram.release();
        }
        assertEquals(badSizes.length, counters.datagramsDroppedInvalid());

        transport.close();
        ByteBuf late = PooledByteBufAllocator.DEFAULT.heapBuffer(50).writeZero(50);
        transport.receive(late);
        late.release();

        assertEquals(1, counters.datagramsDroppedClosed());
        assertEquals(badSizes.length + 1, counters.datagramsReceived());
        assertEquals(0, counters.datagramsDroppedQueueFull());
    }
}
