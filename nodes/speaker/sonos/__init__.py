"""Sonos through SoCo: the speaker model, connections, discovery and playable media."""
