package org.archipelago.media.dtls;

import org.archipelago.media.srtp.SrtpKeyingMaterial;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Records a transport's events for assertions; waits with deadlines, never sleeps. */
final class RecordingListener implements DtlsTransport.Listener {
    private final CountDownLatch connected = new CountDownLatch(1);
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicReference<SrtpKeyingMaterial> keys = new AtomicReference<>();
    private final AtomicReference<String> reason = new AtomicReference<>();
    private final AtomicReference<String> closedOnThread = new AtomicReference<>();
    private final AtomicInteger closedCalls = new AtomicInteger();
    private final AtomicInteger connectedCalls = new AtomicInteger();

    @Override
    public void onConnected(SrtpKeyingMaterial keys) {
        connectedCalls.incrementAndGet();
        this.keys.set(keys);
        connected.countDown();
    }

    @Override
    public void onClosed(String reason) {
        closedCalls.incrementAndGet();
        this.reason.set(reason);
        closedOnThread.set(Thread.currentThread().getName());
        closed.countDown();
    }

    SrtpKeyingMaterial awaitConnected(Duration timeout) throws InterruptedException {
        assertTrue(connected.await(timeout.toMillis(), TimeUnit.MILLISECONDS),
                "not connected within " + timeout + "; closed: " + reason.get());
        return keys.get();
    }

    String awaitClosed(Duration timeout) throws InterruptedException {
        assertTrue(closed.await(timeout.toMillis(), TimeUnit.MILLISECONDS), "not closed within " + timeout);
        return reason.get();
    }

    boolean isConnected() {
        return connected.getCount() == 0;
    }

    boolean isClosed() {
        return closed.getCount() == 0;
    }

    String closedOnThread() {
        return closedOnThread.get();
    }

    int closedCalls() {
        return closedCalls.get();
    }

    int connectedCalls() {
        return connectedCalls.get();
    }
}
