package org.archipelago.media.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.archipelago.media.testing.Await;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shared media port over real loopback sockets: demultiplexing, hand-off and egress. */
class UdpTransportTest {
    private DatagramDemux demux;
    private UdpTransport transport;
    private DatagramSocket client;

    @BeforeEach
    void start() throws Exception {
        demux = new DatagramDemux(4, 2);
        transport = UdpTransport.start(new UdpTransport.Options(InetAddress.getLoopbackAddress(), 0, 2, 1 << 20, true), demux);
        client = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        client.setSoTimeout(5000);
    }

    @AfterEach
    void stop() {
        client.close();
        transport.close();
    }

    /** A real endpoint that records what reaches it and echoes RTP back through its loop's socket. */
    private final class EchoEndpoint implements DatagramEndpoint {
        final EventLoop loop;
        final BlockingQueue<String> seen = new LinkedBlockingQueue<>();

        EchoEndpoint(EventLoop loop) {
            this.loop = loop;
        }

        @Override
        public EventLoop eventLoop() {
            return loop;
        }

        @Override
        public void onDatagram(ByteBuf datagram, InetSocketAddress sender, PacketKind kind, long nowNanos) {
            seen.add(kind + " on-loop=" + loop.inEventLoop() + " len=" + datagram.readableBytes());
            if (kind == PacketKind.RTP) {
                transport.socketFor(loop).send(datagram, sender);
            } else {
                datagram.release();
            }
        }
    }

    private void send(int... values) throws Exception {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        send(bytes);
    }

    private void send(byte[] bytes) throws Exception {
        client.send(new DatagramPacket(bytes, bytes.length, transport.localAddress()));
    }

    private static void awaitCount(String what, java.util.function.LongSupplier counter, long expected) {
        Await.until(what + " = " + expected, Duration.ofSeconds(5), () -> counter.getAsLong() >= expected,
                () -> "(is " + counter.getAsLong() + ")");
        assertEquals(expected, counter.getAsLong());
    }

    @Test
    void deliversBoundAddressesOnTheEndpointLoopAndEchoesThroughItsSocket() throws Exception {
        // Place the endpoint on the loop that is not the receiving one for at least one of the
        // two loops: both must work, and delivery must always land on the endpoint's own loop.
        for (EventLoop loop : transport.eventLoops()) {
            EchoEndpoint endpoint = new EchoEndpoint(loop);
            InetSocketAddress me = (InetSocketAddress) client.getLocalSocketAddress();
            assertTrue(demux.bindAddress(me, endpoint));

            send(22, 0xfe, 0xfd, 0); // a DTLS record header
            assertEquals("DTLS on-loop=true len=4", endpoint.seen.poll(5, TimeUnit.SECONDS));

            byte[] rtp = {(byte) 0x80, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 7, 42};
            send(rtp);
            assertEquals("RTP on-loop=true len=13", endpoint.seen.poll(5, TimeUnit.SECONDS));
            DatagramPacket echoed = new DatagramPacket(new byte[64], 64);
            client.receive(echoed);
            assertArrayEquals(rtp, java.util.Arrays.copyOf(echoed.getData(), echoed.getLength()));

            demux.unregister(endpoint);
            assertEquals(0, demux.addressCount());
        }
    }

    /** The portable fallback: one NIO socket; endpoints on any loop still send through it. */
    @Test
    void nioFallbackDeliversAndEchoes() throws Exception {
        DatagramDemux nioDemux = new DatagramDemux(4, 2);
        UdpTransport nio = UdpTransport.start(new UdpTransport.Options(InetAddress.getLoopbackAddress(), 0, 2, 1 << 20, false), nioDemux);
        try {
            assertFalse(nio.isNative());
            assertEquals(1, nio.eventLoops().size(), "NIO binds one socket on one loop");
            EventLoop loop = nio.eventLoops().get(0);
            BlockingQueue<String> seen = new LinkedBlockingQueue<>();
            DatagramEndpoint echo = new DatagramEndpoint() {
                @Override
                public EventLoop eventLoop() {
                    return loop;
                }

                @Override
                public void onDatagram(ByteBuf datagram, InetSocketAddress sender, PacketKind kind, long nowNanos) {
                    seen.add(kind + " on-loop=" + loop.inEventLoop());
                    nio.socketFor(loop).send(datagram, sender);
                }
            };
            assertTrue(nioDemux.bindAddress((InetSocketAddress) client.getLocalSocketAddress(), echo));
            byte[] rtp = {(byte) 0x80, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 7, 42};
            client.send(new DatagramPacket(rtp, rtp.length, nio.localAddress()));
            assertEquals("RTP on-loop=true", seen.poll(5, TimeUnit.SECONDS));
            DatagramPacket echoed = new DatagramPacket(new byte[64], 64);
            client.receive(echoed);
            assertArrayEquals(rtp, java.util.Arrays.copyOf(echoed.getData(), echoed.getLength()));
        } finally {
            nio.close();
        }
    }

    @Test
    void dropsAndCountsWhatBelongsToNobody() throws Exception {
        send(22, 0xfe, 0xfd);      // DTLS from an unknown address
        send(0x80, 96, 0, 0);      // RTP from an unknown address
        send(0x80, 200, 0, 1);     // RTCP from an unknown address
        send(70, 0, 0, 0);         // TURN channel data: not ours
        send(new byte[0]);         // empty datagram
        awaitCount("received", demux::received, 5);
        awaitCount("droppedUnknownAddress", demux::droppedUnknownAddress, 3);
        awaitCount("droppedUnknownKind", demux::droppedUnknownKind, 2);
        // Nothing is answered.
        assertThrows(SocketTimeoutException.class, () -> {
            client.setSoTimeout(200);
            client.receive(new DatagramPacket(new byte[64], 64));
        });
    }

    @Test
    void boundsTheTables() {
        EchoEndpoint a = new EchoEndpoint(transport.eventLoops().get(0));
        for (int i = 0; i < 4; i++) {
            assertTrue(demux.registerUfrag("ufrag" + i, a));
        }
        assertFalse(demux.registerUfrag("ufrag-over", a), "a fifth endpoint exceeds the limit of 4");
        for (int port = 1; port <= 8; port++) {
            assertTrue(demux.bindAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), a));
        }
        assertFalse(demux.bindAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9), a), "4 x 2 addresses at most");
        assertEquals(1, demux.bindRefusedFull());
        demux.unregister(a);
        assertEquals(0, demux.endpointCount());
        assertEquals(0, demux.addressCount());
    }

    @Test
    void anAddressStaysWithTheEndpointThatBoundItFirst() {
        EchoEndpoint owner = new EchoEndpoint(transport.eventLoops().get(0));
        EchoEndpoint intruder = new EchoEndpoint(transport.eventLoops().get(0));
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 4000);
        assertTrue(demux.bindAddress(address, owner));
        assertTrue(demux.bindAddress(address, owner), "binding again is harmless");
        assertFalse(demux.bindAddress(address, intruder), "a second endpoint cannot take the address over");
        assertEquals(1, demux.bindRefusedOwned());
        demux.unbindAddress(address, owner);
        assertTrue(demux.bindAddress(address, intruder), "free once the owner let it go");
        demux.unregister(intruder);
        demux.unregister(owner);
    }

    @Test
    void optionsRejectNonsense() {
        InetAddress lo = InetAddress.getLoopbackAddress();
        assertThrows(IllegalArgumentException.class, () -> new UdpTransport.Options(lo, 70000, 1, 1 << 20, true));
        assertThrows(IllegalArgumentException.class, () -> new UdpTransport.Options(lo, 0, 0, 1 << 20, true));
        assertThrows(IllegalArgumentException.class, () -> new UdpTransport.Options(lo, 0, 1, 100, true));
    }
}
