from pcd_screen.commands import main

main()
