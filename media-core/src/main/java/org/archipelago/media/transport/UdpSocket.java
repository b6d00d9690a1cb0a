package org.archipelago.media.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
import org.archipelago.media.impair.Direction;
import org.archipelago.media.impair.ImpairedLink;
import org.archipelago.media.impair.NetworkImpairment;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.LongAdder;

/**
 * One UDP socket of the shared media port, owned by one event loop.
 *
 * <p>With the native epoll transport every event loop binds its own socket to the same port
 * (SO_REUSEPORT); an endpoint living on loop L sends through L's socket, so no egress packet ever
 * hops threads. Writes are batched: {@link #send} only writes, and one flush is scheduled per run of
 * the loop, so a fan-out of many packets costs one flush (ARCHITECTURE.md, "flush once per batch").
 *
 * <p>With a {@link NetworkImpairment} (tests, ops), a datagram to an impaired address goes through
 * its egress link first; without one, the cost is a null check.
 */
public final class UdpSocket {
    private final Channel channel;
    /** Null unless the transport was started with an impairment stage. */
    private final NetworkImpairment impairment;
    private final ImpairedLink.Output impairedEgress = (datagram, recipient, nowNanos) -> write(datagram, recipient);
    private final Runnable flushTask = this::flushNow;
    private final LongAdder datagramsSent = new LongAdder();
    private final LongAdder droppedNotWritable = new LongAdder();
    private boolean flushScheduled;

    UdpSocket(Channel channel, NetworkImpairment impairment) {
        this.channel = channel;
        this.impairment = impairment;
    }

    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    /**
     * Queues one datagram; it leaves at the end of the current event-loop run.
     *
     * <p>Must be called on {@link #eventLoop()}. Ownership: the socket takes the buffer over (Netty
     * releases it once written, or on failure); if the socket's outbound buffer is over its high
     * water mark, the datagram is dropped, counted and released here, because a media packet that
     * waits is worth less than one that is lost. An impaired recipient's datagram may be dropped
     * (and released) or held by the impairment stage, and written later.
     */
    public void send(ByteBuf datagram, InetSocketAddress recipient) {
        if (impairment != null && impairment.offer(Direction.EGRESS, datagram, recipient, channel.eventLoop(), impairedEgress)) {
            return;
        }
        write(datagram, recipient);
    }

    private void write(ByteBuf datagram, InetSocketAddress recipient) {
        if (!channel.isWritable()) {
            droppedNotWritable.increment();
            datagram.release();
            flushNow();
            return;
        }
        channel.write(new DatagramPacket(datagram, recipient), channel.voidPromise());
        datagramsSent.increment();
        if (!flushScheduled) {
            flushScheduled = true;
            channel.eventLoop().execute(flushTask);
        }
    }

    private void flushNow() {
        flushScheduled = false;
        channel.flush();
    }

    public long datagramsSent() {
        return datagramsSent.sum();
    }

    public long droppedNotWritable() {
        return droppedNotWritable.sum();
    }

    Channel channel() {
        return channel;
    }
}
