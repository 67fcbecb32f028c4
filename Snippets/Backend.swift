// Which BLAS kernels run, and the restart that picks the best ones (as the kindling executable does).
import Kindling

ProcessSetup.prepareExecutable()  // first thing in main: may re-execute the process on the best kernels
print(LinearAlgebraBackend.current)  // library, configuration, core, who chose it, CPU
