"""The book and its editions: the Sphinx hooks of the build, the PDF and the
browser that prints it, vendored JavaScript, the toc without solutions, the
edition a build is and the releases that pin it."""
