package org.archipelago.server.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;

import javax.net.ssl.SSLException;
import java.io.File;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The server's one HTTP/1.1 port: WHIP/WHEP now; pages, the WebSocket, the admin API and metrics
 * join it later. Runs on its own event loops, apart from the media loops.
 *
 * <p>Requests are bounded: a body larger than {@code maxRequestBytes} is answered 413 by the
 * aggregator and the connection closed; an idle connection is closed after a minute.
 */
public final class HttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);
    private static final int IDLE_SECONDS = 60;
    /** The name of the idle-request timeout in each pipeline; a WebSocket replaces it with pings. */
    public static final String READ_TIMEOUT = "read-timeout";

    private final MultiThreadIoEventLoopGroup group;
    private final Channel channel;

    private HttpServer(MultiThreadIoEventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /**
     * Makes the TLS context for HTTPS/WSS from a PEM certificate chain and PKCS#8 key.
     *
     * @throws IllegalArgumentException naming the files when they cannot be used
     */
    public static SslContext tls(File certificateChain, File privateKey) {
        try {
            return SslContextBuilder.forServer(certificateChain, privateKey).build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot use " + certificateChain + " and " + privateKey + " for TLS: " + e.getMessage(), e);
        }
    }

    /**
     * Opens the port.
     *
     * @param tls         HTTPS/WSS, or null for plain HTTP
     * @param application adds the application's handlers to each new connection's pipeline, after
     *                    the HTTP codec and the aggregator (so they see {@code FullHttpRequest}s)
     */
    public static HttpServer start(InetAddress bindAddress, int port, int maxRequestBytes, SslContext tls,
                                   Consumer<ChannelPipeline> application) throws InterruptedException {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory ioHandlers = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(2, new DefaultThreadFactory("http", true), ioHandlers);
        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        try {
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(channelType)
                    .option(ChannelOption.SO_BACKLOG, 256)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            if (tls != null) {
                                ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                            }
                            ch.pipeline()
                                    .addLast(READ_TIMEOUT, new ReadTimeoutHandler(IDLE_SECONDS, TimeUnit.SECONDS))
                                    .addLast(new HttpServerCodec())
                                    .addLast(new HttpObjectAggregator(maxRequestBytes));
                            application.accept(ch.pipeline());
                        }
                    })
                    .bind(bindAddress, port).sync().channel();
            LOG.info("{} on {}", tls != null ? "HTTPS" : "HTTP", channel.localAddress());
            return new HttpServer(group, channel);
        } catch (RuntimeException | InterruptedException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
