from healthforce.cli import main

main()
