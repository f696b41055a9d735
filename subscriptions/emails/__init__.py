"""The emails supporters receive: what each kind says, rendered once into the outbox."""
