package org.archipelago.media.dtls;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One end of a real loopback UDP path for tests: a Netty NIO datagram channel that hands what it
 * receives to a {@link DtlsTransport} on the event loop (as the production UDP layer will) and a
 * {@link DatagramSender} that can drop a seeded-random share of what it sends.
 */
final class UdpLink implements DatagramSender, AutoCloseable {
    private final Channel channel;
    private final Random random;
    private final double lossRate;
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger dropped = new AtomicInteger();
    private final AtomicInteger largest = new AtomicInteger();
    private volatile InetSocketAddress remote;
    private volatile DtlsTransport transport;

    UdpLink(EventLoopGroup group, long seed, double lossRate) throws InterruptedException {
        this.random = new Random(seed);
        this.lossRate = lossRate;
        this.channel = new Bootstrap()
                .group(group)
                .channel(NioDatagramChannel.class)
                .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
                        DtlsTransport target = transport;
                        if (target != null) {
                            // receive() copies; SimpleChannelInboundHandler releases the packet after.
                            target.receive(packet.content());
                        }
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .sync()
                .channel();
    }

    /** Connects two links to each other. */
    static void pair(UdpLink a, UdpLink b) {
        a.remote = b.localAddress();
        b.remote = a.localAddress();
    }

    InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    void attach(DtlsTransport target) {
        this.transport = target;
    }

    /** Sends raw bytes to the peer link (to inject junk), bypassing the loss model. */
    void sendRaw(byte[] bytes) {
        channel.writeAndFlush(new DatagramPacket(Unpooled.copiedBuffer(bytes), remote));
    }

    @Override
    public void send(byte[] buf, int off, int len) {
        sent.incrementAndGet();
        largest.accumulateAndGet(len, Math::max);
        boolean drop;
        synchronized (random) {
            drop = random.nextDouble() < lossRate;
        }
        if (drop) {
            dropped.incrementAndGet();
            return;
        }
        channel.writeAndFlush(new DatagramPacket(Unpooled.copiedBuffer(buf, off, len), remote));
    }

    int sent() {
        return sent.get();
    }

    /** The largest datagram sent so far. */
    int largest() {
        return largest.get();
    }

    int dropped() {
        return dropped.get();
    }

    @Override
    public void close() throws InterruptedException {
        channel.close().sync();
    }
}
