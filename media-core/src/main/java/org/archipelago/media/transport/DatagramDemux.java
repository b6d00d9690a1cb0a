package org.archipelago.media.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import org.archipelago.media.stun.StunMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;

/**
 * Finds the endpoint a datagram on the shared media port belongs to, and delivers it on that
 * endpoint's event loop.
 *
 * <p>First contact is always a STUN binding request (ICE): its USERNAME begins with the local ICE
 * ufrag we gave that peer in our SDP answer, which {@link #registerUfrag} maps to the endpoint.
 * Once the endpoint has authenticated a remote address it calls {@link #bindAddress}, and every
 * later datagram from that address (DTLS, RTP, RTCP) is found by address alone.
 *
 * <p>Both maps are bounded: at most {@code maxEndpoints} ufrags, and at most
 * {@code maxEndpoints * maxAddressesPerEndpoint} addresses (an endpoint keeps its own per-endpoint
 * bound, and every binding goes away with {@link #unregister}).
 *
 * <p>Thread safety: called from every media loop at once; the maps are concurrent, counters are
 * {@link LongAdder}s.
 */
public final class DatagramDemux {
    private static final Logger LOG = LoggerFactory.getLogger(DatagramDemux.class);

    private final Map<String, DatagramEndpoint> byLocalUfrag = new ConcurrentHashMap<>();
    private final Map<InetSocketAddress, DatagramEndpoint> byRemoteAddress = new ConcurrentHashMap<>();
    private final int maxEndpoints;
    private final int maxAddresses;

    private final LongAdder received = new LongAdder();
    private final LongAdder droppedUnknownKind = new LongAdder();
    private final LongAdder droppedStunNoUsername = new LongAdder();
    private final LongAdder droppedStunUnknownUfrag = new LongAdder();
    private final LongAdder droppedUnknownAddress = new LongAdder();
    private final LongAdder endpointFailures = new LongAdder();
    private final LongAdder droppedShuttingDown = new LongAdder();
    private final LongAdder bindRefusedOwned = new LongAdder();
    private final LongAdder bindRefusedFull = new LongAdder();

    public DatagramDemux(int maxEndpoints, int maxAddressesPerEndpoint) {
        if (maxEndpoints < 1 || maxAddressesPerEndpoint < 1) {
            throw new IllegalArgumentException("maxEndpoints and maxAddressesPerEndpoint must be positive");
        }
        this.maxEndpoints = maxEndpoints;
        this.maxAddresses = maxEndpoints * maxAddressesPerEndpoint;
    }

    /**
     * Routes one datagram. Ownership: takes the buffer over; it is released here on every drop, or
     * handed to the endpoint, which then owns it.
     */
    public void onDatagram(ByteBuf datagram, InetSocketAddress sender, long nowNanos) {
        received.increment();
        int readable = datagram.readableBytes();
        int first = readable > 0 ? datagram.getUnsignedByte(datagram.readerIndex()) : 256;
        int second = readable > 1 ? datagram.getUnsignedByte(datagram.readerIndex() + 1) : -1;
        PacketKind kind = PacketKind.classify(first, second);
        DatagramEndpoint endpoint;
        switch (kind) {
            case STUN -> {
                String ufrag = StunMessage.localUfragOf(datagram);
                if (ufrag == null) {
                    droppedStunNoUsername.increment();
                    datagram.release();
                    return;
                }
                endpoint = byLocalUfrag.get(ufrag);
                if (endpoint == null) {
                    droppedStunUnknownUfrag.increment();
                    datagram.release();
                    return;
                }
            }
            case DTLS, RTP, RTCP -> {
                endpoint = byRemoteAddress.get(sender);
                if (endpoint == null) {
                    droppedUnknownAddress.increment();
                    datagram.release();
                    return;
                }
            }
            default -> {
                droppedUnknownKind.increment();
                datagram.release();
                return;
            }
        }
        EventLoop loop = endpoint.eventLoop();
        if (loop.inEventLoop()) {
            deliver(endpoint, datagram, sender, kind, nowNanos);
        } else {
            // The one thread hop of an ingress packet: onto the loop of the endpoint's room.
            DatagramEndpoint target = endpoint;
            try {
                loop.execute(() -> deliver(target, datagram, sender, kind, nowNanos));
            } catch (RejectedExecutionException shuttingDown) {
                droppedShuttingDown.increment();
                datagram.release();
            }
        }
    }

    private void deliver(DatagramEndpoint endpoint, ByteBuf datagram, InetSocketAddress sender, PacketKind kind, long nowNanos) {
        try {
            endpoint.onDatagram(datagram, sender, kind, nowNanos);
        } catch (RuntimeException e) {
            // The endpoint owned the buffer; it must not throw, but one that does must not take
            // the shared loop with it. Logged at powers of two only: a bug that bad input can
            // trigger must not become a log flood.
            endpointFailures.increment();
            long failures = endpointFailures.sum();
            if (Long.bitCount(failures) == 1) {
                LOG.warn("Endpoint failed on a {} datagram from {} (failure #{})", kind, sender, failures, e);
            }
        }
    }

    /**
     * Makes STUN requests whose USERNAME starts with {@code localUfrag} reach {@code endpoint}.
     *
     * @return false when the ufrag is taken or the endpoint limit is reached
     */
    public boolean registerUfrag(String localUfrag, DatagramEndpoint endpoint) {
        if (byLocalUfrag.size() >= maxEndpoints) {
            return false;
        }
        return byLocalUfrag.putIfAbsent(localUfrag, endpoint) == null;
    }

    /**
     * Makes every datagram from {@code remote} reach {@code endpoint}; called once the endpoint
     * has authenticated that address with ICE.
     *
     * <p>An address bound to another endpoint stays with it: a peer with valid credentials of its
     * own must not be able to take over someone else's address by spoofing it as the source of its
     * checks. The owner gives it up by {@link #unbindAddress} or {@link #unregister}.
     *
     * @return false when the address belongs to another endpoint or the table is full
     */
    public boolean bindAddress(InetSocketAddress remote, DatagramEndpoint endpoint) {
        DatagramEndpoint owner = byRemoteAddress.get(remote);
        if (owner != null) {
            if (owner != endpoint) {
                bindRefusedOwned.increment();
            }
            return owner == endpoint;
        }
        if (byRemoteAddress.size() >= maxAddresses) {
            bindRefusedFull.increment();
            return false;
        }
        DatagramEndpoint raced = byRemoteAddress.putIfAbsent(remote, endpoint);
        return raced == null || raced == endpoint;
    }

    /** Removes one address of an endpoint (e.g. a candidate pair it no longer uses). */
    public void unbindAddress(InetSocketAddress remote, DatagramEndpoint endpoint) {
        byRemoteAddress.remove(remote, endpoint);
    }

    /** Forgets the endpoint: its ufrag and every address bound to it. */
    public void unregister(DatagramEndpoint endpoint) {
        byLocalUfrag.values().removeIf(e -> e == endpoint);
        byRemoteAddress.values().removeIf(e -> e == endpoint);
    }

    public int endpointCount() {
        return byLocalUfrag.size();
    }

    public int addressCount() {
        return byRemoteAddress.size();
    }

    public long received() {
        return received.sum();
    }

    public long droppedUnknownKind() {
        return droppedUnknownKind.sum();
    }

    public long droppedStunNoUsername() {
        return droppedStunNoUsername.sum();
    }

    public long droppedStunUnknownUfrag() {
        return droppedStunUnknownUfrag.sum();
    }

    public long droppedUnknownAddress() {
        return droppedUnknownAddress.sum();
    }

    public long endpointFailures() {
        return endpointFailures.sum();
    }

    /** Datagrams that arrived while their endpoint's loop was shutting down. */
    public long droppedShuttingDown() {
        return droppedShuttingDown.sum();
    }

    /** Binding attempts refused because another endpoint owns the address. */
    public long bindRefusedOwned() {
        return bindRefusedOwned.sum();
    }

    /** Binding attempts refused because the address table is full. */
    public long bindRefusedFull() {
        return bindRefusedFull.sum();
    }
}
