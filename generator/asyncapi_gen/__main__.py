"""`python -m asyncapi_gen` runs the command-line interface."""

from asyncapi_gen.launch import main

main()
