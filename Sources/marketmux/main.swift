print("marketmux")
