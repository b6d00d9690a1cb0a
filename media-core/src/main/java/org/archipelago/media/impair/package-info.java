/**
 * Test-time network impairment on the server's UDP path: loss (uniform, Gilbert-Elliott), delay and
 * jitter, reordering, and a bandwidth cap with a drop-tail queue, per remote address and direction.
 *
 * <ul>
 *   <li>{@link org.archipelago.media.impair.NetworkImpairment}: the stage and its API. Give one to
 *       {@code UdpTransport.start(options, demux, impairment)}, then
 *       {@code impair(remote, Direction.EGRESS, profile)} / {@code clear(...)} / {@code counters(...)}
 *       from any thread. Without one, the transport's path costs a null check.</li>
 *   <li>{@link org.archipelago.media.impair.ImpairmentProfile}: what a link does, built from
 *       {@code ImpairmentProfile.NONE} with {@code with*} methods.</li>
 *   <li>{@link org.archipelago.media.impair.ImpairedLink}: the model of one direction of one
 *       address; time passed in, randomness from a seeded {@code SplittableRandom}.</li>
 * </ul>
 *
 * <p>Buffer ownership: the stage takes a datagram over when {@code offer} returns true. A dropped
 * datagram is released at once; a held one is owned by its link until it leaves (then the socket or
 * the demultiplexer owns it) or until the link is cleared, replaced or its transport closed, when
 * it is released on the link's loop.
 *
 * <p>Threads: a link belongs to the event loop that first carries one of its packets; held packets
 * leave through a task scheduled on that loop at the next due time. Nothing sleeps and no thread is
 * created.
 */
package org.archipelago.media.impair;
