// The WebAssembly globals Node provides. @types/node for Node 20 does not declare them (TypeScript keeps
// them in the DOM library, which a server must not pull in), so the part Warden uses is declared here.
declare global {
  namespace WebAssembly {
    type ImportValue = ExportValue | number | bigint;
    type ExportValue = ((...args: never[]) => unknown) | Memory | Global | Table;
    type ModuleImports = Record<string, ImportValue>;
    type Imports = Record<string, ModuleImports>;
    type Exports = Record<string, ExportValue>;

    interface MemoryDescriptor {
      initial: number;
      maximum?: number;
      shared?: boolean;
    }
    class Memory {
      constructor(descriptor: MemoryDescriptor);
      readonly buffer: ArrayBuffer;
      grow(delta: number): number;
    }
    class Global {
      value: unknown;
    }
    class Table {
      readonly length: number;
    }
    class Module {
      constructor(bytes: BufferSource);
    }
    class Instance {
      constructor(module: Module, imports?: Imports);
      readonly exports: Exports;
    }
    type BufferSource = ArrayBufferView | ArrayBuffer;
  }
}

export {};
