/**
 * STUN (RFC 8489) as used by ICE: a flyweight view over a received message ({@link
 * org.archipelago.media.stun.StunMessage}), a writer that builds messages into a caller's buffer
 * ({@link org.archipelago.media.stun.StunMessageWriter}), the two integrity mechanisms
 * ({@link org.archipelago.media.stun.StunMessageIntegrity}, {@link
 * org.archipelago.media.stun.StunFingerprint}) and a minimal Binding client ({@link
 * org.archipelago.media.stun.StunBindingClient}) for test peers and server-to-server links.
 *
 * <p>Nothing here throws for bad input from the network: parsing reports a {@link
 * org.archipelago.media.stun.StunParseResult} and the caller counts and drops. Instances that hold
 * a {@code Mac}, a {@code CRC32} or scratch arrays are owned by one thread.
 */
package org.archipelago.media.stun;
