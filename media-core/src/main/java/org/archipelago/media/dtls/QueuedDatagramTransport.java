package org.archipelago.media.dtls;

import org.bouncycastle.tls.DatagramTransport;
import org.bouncycastle.tls.TlsTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Bridges BouncyCastle's blocking {@link DatagramTransport} to a non-blocking producer.
 *
 * <p>The event loop {@link #offer}s copies of datagrams into a bounded queue and never waits; the
 * one thread running BC's handshake or record reading drains it in {@link #receive}, whose
 * timeouts are what drive BC's flight retransmission (RFC 6347 §4.2.4). Outbound datagrams go
 * straight to the {@link DatagramSender}.
 *
 * <p>During the handshake, records BC sends one by one are packed into as few datagrams as fit
 * the MTU (RFC 6347 §4.1.1 allows several records per datagram) and go out when BC next waits
 * for input, i.e. once per flight. Besides saving datagrams this makes a flight that fits the MTU
 * arrive whole or not at all. That matters: BC's record layer switches to the new read epoch on
 * ChangeCipherSpec, so if a peer's CertificateVerify were lost while the ChangeCipherSpec after
 * it arrived, every retransmitted CertificateVerify (still epoch 0) would be discarded and the
 * handshake would stall until the timeout. We saw exactly that with one record per datagram and
 * 20 % loss. Browsers pack flights the same way.
 *
 * <p>{@link #receive} also enforces the overall handshake deadline and ends the reader when the
 * owner asked to close: it throws {@link InterruptedIOException}, which BC passes through
 * without treating it as a protocol failure once the handshake is done.
 */
final class QueuedDatagramTransport implements DatagramTransport {
    private static final Logger LOG = LoggerFactory.getLogger(QueuedDatagramTransport.class);

    /** Put in the queue to wake the reader without data; never handed to BC. */
    private static final byte[] WAKE_UP = new byte[0];
    private static final long NO_DEADLINE = Long.MAX_VALUE;

    private final BlockingQueue<byte[]> queue;
    private final DatagramSender sender;
    private final DtlsCounters counters;
    private final int mtu;
    private final int receiveLimit;

    private volatile boolean closeRequested;
    /** Set when BC closes us: after a close_notify or a fatal alert, or when our own close completes. */
    private volatile boolean closedByRecordLayer;
    private volatile boolean sendingStopped;
    /** Records of the current flight not yet sent; used by the reader thread during the handshake only. */
    private final byte[] pendingFlight;
    private int pendingLength;
    private volatile boolean coalescing = true;
    /** System.nanoTime() after which receive() fails the handshake; written and read by the reader only. */
    private long deadlineNanos = NO_DEADLINE;
    private boolean deadlineExpired;

    QueuedDatagramTransport(DatagramSender sender, DtlsCounters counters, int mtu, int queueCapacity) {
        this.sender = sender;
        this.counters = counters;
        this.mtu = mtu;
        // Accept a little more than we send: a peer's path MTU guess may exceed ours (Ethernet 1500).
        this.receiveLimit = Math.max(mtu, 1500);
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.pendingFlight = new byte[mtu];
    }

    /** Event loop side: queues a copy; false (counted by the caller) when full. Never blocks. */
    boolean offer(byte[] datagram) {
        return queue.offer(datagram);
    }

    int receiveLimit() {
        return receiveLimit;
    }

    /** Any thread: makes the reader give up at its next wake-up, which this triggers. */
    void requestClose() {
        closeRequested = true;
        // If the queue is full the reader is about to wake anyway.
        queue.offer(WAKE_UP);
    }

    boolean closeRequested() {
        return closeRequested;
    }

    boolean closedByRecordLayer() {
        return closedByRecordLayer;
    }

    boolean deadlineExpired() {
        return deadlineExpired;
    }

    /** Reader thread: from now on receive() fails once {@code deadlineNanos} has passed. */
    void setDeadline(long deadlineNanos) {
        this.deadlineNanos = deadlineNanos;
    }

    /**
     * Reader thread, once the handshake is done: sends what is pending, then sends each record at
     * once (after the handshake, records may be sent while the reader thread is blocked waiting).
     */
    void endHandshake() {
        this.deadlineNanos = NO_DEADLINE;
        flush();
        coalescing = false;
    }

    /** After this nothing more is sent: the transport is finished. */
    void stopSending() {
        sendingStopped = true;
        queue.clear();
    }

    @Override
    public int getReceiveLimit() {
        return receiveLimit;
    }

    @Override
    public int getSendLimit() {
        return mtu;
    }

    @Override
    public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
        // BC waits only when it has sent all it had to: the flight is complete.
        flush();
        long waitNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(1, waitMillis));
        long start = System.nanoTime();
        while (true) {
            if (closeRequested || closedByRecordLayer) {
                throw new InterruptedIOException("DTLS transport closed");
            }
            long now = System.nanoTime();
            if (deadlineNanos != NO_DEADLINE && now - deadlineNanos >= 0) {
                deadlineExpired = true;
                throw new TlsTimeoutException("DTLS handshake timed out");
            }
            long remaining = waitNanos - (now - start);
            if (remaining <= 0) {
                return -1; // BC's way of saying "timed out, nothing received"
            }
            if (deadlineNanos != NO_DEADLINE) {
                remaining = Math.min(remaining, deadlineNanos - now);
            }
            byte[] datagram;
            try {
                datagram = queue.poll(remaining, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for a DTLS datagram");
            }
            if (datagram == null || datagram == WAKE_UP) {
                continue;
            }
            if (datagram.length > len) {
                // Cannot happen while len >= receiveLimit (BC sizes its buffer from it); never truncate.
                counters.droppedInvalid();
                continue;
            }
            System.arraycopy(datagram, 0, buf, off, datagram.length);
            return datagram.length;
        }
    }

    @Override
    public void send(byte[] buf, int off, int len) {
        if (sendingStopped) {
            return;
        }
        if (!coalescing || len > pendingFlight.length) {
            transmit(buf, off, len);
            return;
        }
        if (pendingLength + len > pendingFlight.length) {
            flush();
        }
        System.arraycopy(buf, off, pendingFlight, pendingLength, len);
        pendingLength += len;
    }

    private void flush() {
        if (pendingLength > 0 && coalescing) {
            int length = pendingLength;
            pendingLength = 0;
            if (!sendingStopped) {
                transmit(pendingFlight, 0, length);
            }
        }
    }

    private void transmit(byte[] buf, int off, int len) {
        try {
            sender.send(buf, off, len);
        } catch (RuntimeException e) {
            // UDP semantics: a datagram that could not be sent is lost; retransmission covers it.
            counters.sendError();
            LOG.debug("DatagramSender failed; treating the datagram as lost", e);
        }
    }

    @Override
    public void close() {
        // BC closes after its last words (an alert, or the close_notify answering the peer's).
        flush();
        closedByRecordLayer = true;
        queue.offer(WAKE_UP);
    }
}
