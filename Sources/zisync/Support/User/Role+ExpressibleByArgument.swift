import ArgumentParser
import ZISyncStore

extension Role: ExpressibleByArgument {}
