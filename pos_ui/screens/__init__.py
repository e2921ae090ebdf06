"""The till's screens: sign-in, the opening float, the sale."""
