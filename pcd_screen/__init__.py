"""pcd-screen: screen development-cooperation proposals for policy coherence for development."""

__version__ = "0.1.0"
