"""Motion graphics: scene templates drawn with Pillow, the style guide as a look, the model\x27s plan and the sandbox for model-written scenes."""
