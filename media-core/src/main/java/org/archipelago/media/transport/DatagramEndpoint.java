package org.archipelago.media.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;

import java.net.InetSocketAddress;

/**
 * Whatever owns a remote address on the shared media port: a WebRTC peer, later a relay link.
 *
 * <p>Each endpoint lives on one event loop, the loop of its room; {@link DatagramDemux} delivers its
 * datagrams there, so an endpoint's state needs no locks.
 */
public interface DatagramEndpoint {

    /** The event loop that owns this endpoint's state. */
    EventLoop eventLoop();

    /**
     * Handles one datagram, on {@link #eventLoop()}.
     *
     * <p>Ownership: the endpoint takes the buffer over and must release it exactly once, on every
     * path including drops. The readable bytes are exactly the datagram.
     *
     * @param kind     already classified by the first bytes (RFC 7983)
     * @param nowNanos {@link System#nanoTime()} when the demultiplexer saw the datagram
     */
    void onDatagram(ByteBuf datagram, InetSocketAddress sender, PacketKind kind, long nowNanos);
}
