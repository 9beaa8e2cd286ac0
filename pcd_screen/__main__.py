from pcd_screen.cli import main

main()
