from safercity.web.cli import main

main()
