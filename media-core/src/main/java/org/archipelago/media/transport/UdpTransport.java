package org.archipelago.media.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.archipelago.media.impair.Direction;
import org.archipelago.media.impair.ImpairedLink;
import org.archipelago.media.impair.NetworkImpairment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The shared UDP media port: every peer of the server on one port (RFC 8445 allows any number of
 * peers behind one host candidate; the ICE username tells them apart on first contact).
 *
 * <p>Native epoll on Linux, with one socket per event loop bound to the same port with
 * SO_REUSEPORT so the kernel spreads remote addresses over the loops; NIO (one socket, one loop)
 * elsewhere. Rooms are placed on these same loops, so a room's egress goes out through the socket
 * of its own loop without a thread hop.
 */
public final class UdpTransport implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UdpTransport.class);

    /**
     * How the port is opened.
     *
     * @param bindAddress  address to bind (loopback by default: security by default)
     * @param port         UDP port; 0 picks a free one (tests)
     * @param eventLoops   number of event loops (and sockets, with epoll)
     * @param socketBufferBytes SO_RCVBUF and SO_SNDBUF; media bursts (a keyframe to many subscribers) need room
     * @param preferNative use epoll when available
     */
    public record Options(InetAddress bindAddress, int port, int eventLoops, int socketBufferBytes, boolean preferNative) {
        public Options {
            Objects.requireNonNull(bindAddress, "bindAddress");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535, got " + port);
            }
            if (eventLoops < 1) {
                throw new IllegalArgumentException("eventLoops must be at least 1, got " + eventLoops);
            }
            if (socketBufferBytes < 65536) {
                throw new IllegalArgumentException("socketBufferBytes must be at least 65536, got " + socketBufferBytes);
            }
        }
    }

    private final MultiThreadIoEventLoopGroup group;
    private final List<UdpSocket> sockets;
    private final Map<EventLoop, UdpSocket> socketByLoop;
    private final List<EventLoop> loops;
    private final InetSocketAddress localAddress;
    private final boolean nativeTransport;
    private final NetworkImpairment impairment;

    private UdpTransport(MultiThreadIoEventLoopGroup group, List<UdpSocket> sockets, InetSocketAddress localAddress,
                         boolean nativeTransport, NetworkImpairment impairment) {
        this.group = group;
        this.impairment = impairment;
        this.sockets = List.copyOf(sockets);
        this.localAddress = localAddress;
        this.nativeTransport = nativeTransport;
        Map<EventLoop, UdpSocket> byLoop = new IdentityHashMap<>();
        List<EventLoop> loopList = new ArrayList<>();
        for (UdpSocket socket : sockets) {
            byLoop.put(socket.eventLoop(), socket);
            loopList.add(socket.eventLoop());
        }
        this.socketByLoop = byLoop;
        this.loops = List.copyOf(loopList);
    }

    /** Opens the port and starts delivering datagrams to {@code demux}. */
    public static UdpTransport start(Options options, DatagramDemux demux) throws InterruptedException {
        return start(options, demux, null);
    }

    /**
     * Opens the port with an impairment stage on its path (tests, ops): datagrams from an address
     * impaired on ingress go through its link before the demultiplexer, datagrams to an address
     * impaired on egress before the socket. The transport clears the stage when it closes.
     *
     * @param impairment the stage, or null for none (then the path costs a null check)
     */
    public static UdpTransport start(Options options, DatagramDemux demux, NetworkImpairment impairment) throws InterruptedException {
        boolean useEpoll = options.preferNative() && Epoll.isAvailable();
        int socketCount = useEpoll ? options.eventLoops() : 1;
        IoHandlerFactory ioHandlerFactory = useEpoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(socketCount,
                new DefaultThreadFactory("media-loop", true), ioHandlerFactory);
        ChannelHandler handler = new InboundHandler(demux, impairment);
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(useEpoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                .option(ChannelOption.SO_RCVBUF, options.socketBufferBytes())
                .option(ChannelOption.SO_SNDBUF, options.socketBufferBytes())
                // Bound the per-socket egress queue; UdpSocket drops past it instead of growing.
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 4 << 20))
                .handler(handler);
        if (useEpoll) {
            bootstrap.option(EpollChannelOption.SO_REUSEPORT, true);
        }
        List<UdpSocket> sockets = new ArrayList<>();
        try {
            int port = options.port();
            for (int i = 0; i < socketCount; i++) {
                // MultiThreadIoEventLoopGroup hands out loops round-robin: one socket per loop.
                Channel channel = bootstrap.bind(options.bindAddress(), port).sync().channel();
                sockets.add(new UdpSocket(channel, impairment));
                port = ((InetSocketAddress) channel.localAddress()).getPort();
            }
        } catch (RuntimeException | InterruptedException e) {
            for (UdpSocket socket : sockets) {
                socket.channel().close();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
        InetSocketAddress local = (InetSocketAddress) sockets.get(0).channel().localAddress();
        LOG.info("Media port open on udp {} ({} with {} socket(s))", local, useEpoll ? "epoll" : "nio", sockets.size());
        return new UdpTransport(group, sockets, local, useEpoll, impairment);
    }

    /** The loops rooms and peers are placed on; each has a socket ({@link #socketFor}) except with NIO. */
    public List<EventLoop> eventLoops() {
        return loops;
    }

    /**
     * The socket to send from on {@code loop}: its own with epoll, the single one with NIO (then a
     * send from another loop is handed over by Netty, which is the fallback's price).
     */
    public UdpSocket socketFor(EventLoop loop) {
        UdpSocket socket = socketByLoop.get(loop);
        return socket != null ? socket : sockets.get(0);
    }

    public InetSocketAddress localAddress() {
        return localAddress;
    }

    public boolean isNative() {
        return nativeTransport;
    }

    public long datagramsSent() {
        long sum = 0;
        for (UdpSocket socket : sockets) {
            sum += socket.datagramsSent();
        }
        return sum;
    }

    /** The impairment stage this transport was started with, or null. */
    public NetworkImpairment impairment() {
        return impairment;
    }

    @Override
    public void close() {
        if (impairment != null) {
            // Release held datagrams on their loops while the loops still run tasks.
            impairment.clearAll();
        }
        for (UdpSocket socket : sockets) {
            socket.channel().close().syncUninterruptibly();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Hands each datagram to the demultiplexer; never lets an exception escape the loop. */
    @ChannelHandler.Sharable
    private static final class InboundHandler extends SimpleChannelInboundHandler<DatagramPacket> {
        private final DatagramDemux demux;
        /** Null unless the transport was started with an impairment stage. */
        private final NetworkImpairment impairment;
        private final ImpairedLink.Output impairedIngress;

        InboundHandler(DatagramDemux demux, NetworkImpairment impairment) {
            super(false);
            this.demux = demux;
            this.impairment = impairment;
            this.impairedIngress = demux::onDatagram;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            // Ownership of the content passes to the demux, which releases or hands it on.
            ByteBuf content = packet.content();
            if (impairment != null
                    && impairment.offer(Direction.INGRESS, content, packet.sender(), ctx.channel().eventLoop(), impairedIngress)) {
                return;
            }
            demux.onDatagram(content, packet.sender(), System.nanoTime());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A socket error (e.g. ICMP port unreachable surfaced as an exception) must not close
            // the shared port: log and carry on.
            LOG.debug("Media socket error on {}", ctx.channel().localAddress(), cause);
        }
    }
}
