/**
 * ICE-lite (RFC 8445 §2.5): the server's side of connectivity checks. A lite agent gathers only
 * host candidates, never sends checks and is always controlled; it answers authenticated Binding
 * requests and follows the peer's nomination. See {@link org.archipelago.media.ice.IceLiteAgent}.
 */
package org.archipelago.media.ice;
