from pcd_screen.entry import main

main()
