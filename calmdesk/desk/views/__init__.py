"""The desk's pages. ``pages`` renders, ``changes`` takes the POSTs that call actions,
``customers`` holds the customer profile and its changes."""
