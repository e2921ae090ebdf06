"""The till's scale: MT-SICS over TCP (`client`), its pure wire format (`protocol`), a simulator."""
