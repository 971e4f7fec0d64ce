"""The pure core: the contract's rules as functions of data and `now`.

Imports only the standard library and its own modules; never reads the clock,
the network, the disk or the environment.
"""
